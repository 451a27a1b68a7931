// `optline blacklist get <project> <phone>`: whether a phone is blacklisted, through the API.
import { printAnswer, processIO, type CommandIO } from '../api-client.ts';

const HELP = `Usage: optline blacklist get <project> <phone>

Prints the blacklist entry of the phone in the project (status, keyword, message_id,
blocked_at, updated_at) as JSON. The phone may be in any accepted form: +421905123456,
00421905123456, 421905123456, with spaces, dashes or brackets.

The API is at OPTLINE_API_URL (default http://127.0.0.1:8090); the token is OPTLINE_API_TOKEN,
else the one \`optline start\` wrote to .optline/credentials.env.

Exit codes: 0 blacklisted (the entry is printed); 1 not blacklisted, refused or the API
unreachable (the reason on stderr); 2 bad arguments.
`;

export async function run(args: string[], io: CommandIO = processIO()): Promise<number> {
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    io.stdout.write(HELP);
    return 0;
  }
  const [action, project, phone, ...rest] = args;
  if (action !== 'get' || !project || !phone || rest.length) {
    io.stderr.write(`optline blacklist: expected get <project> <phone>\n\n${HELP}`);
    return 2;
  }
  return printAnswer(io, 'optline blacklist get', 'GET', `/v1/projects/${encodeURIComponent(project)}/blacklist/${encodeURIComponent(phone)}`);
}
