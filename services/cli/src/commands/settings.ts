// `optline settings put <project> --file settings.json` and `optline settings get <project>`:
// a project's SMS settings through the API, so they are validated and versioned like any other
// change.
import { readFile } from 'node:fs/promises';
import { printAnswer, processIO, type CommandIO } from '../api-client.ts';

const HELP = `Usage: optline settings put <project> --file <settings.json> [--if-match <version>]
       optline settings get <project>

put  stores the project's SMS settings (the whole document: trackIncoming, optOutEnabled,
     keywords, optInKeywords, helpKeywords, replies, possibleOptOuts, consentCategories,
     dedicatedNumbers; GET /v1/sms-settings/defaults suggests one) and prints them as stored,
     normalised, with their version; a refused document prints every broken field.
     --if-match <version> stores only over that version (0: the project has none yet): a
     write based on settings someone changed meanwhile is refused (HTTP 412) instead of
     overwriting their change. Without it the document replaces whatever is stored.
get  prints the stored settings (their "version" is what --if-match takes).

The API is at OPTLINE_API_URL (default http://127.0.0.1:8090); the token is OPTLINE_API_TOKEN,
else the one \`optline start\` wrote to .optline/credentials.env.

Exit codes: 0 done; 1 refused by the API or the API unreachable; 2 bad arguments or file.
`;

type Parsed = { help: true } | { action: 'get'; project: string } | { action: 'put'; project: string; file: string; ifMatch?: string } | { error: string };

function parse(args: string[]): Parsed {
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) return { help: true };
  const [action, project, ...rest] = args;
  if (action !== 'put' && action !== 'get') return { error: `unknown action ${JSON.stringify(action)}: put or get` };
  if (!project || project.startsWith('-')) return { error: 'the project is missing' };
  if (action === 'get') return rest.length ? { error: `unexpected ${JSON.stringify(rest[0])}` } : { action, project };
  let file: string | undefined;
  let ifMatch: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--file' || arg === '-f') file = rest[++i];
    else if (arg.startsWith('--file=')) file = arg.slice('--file='.length);
    else if (arg === '--if-match') ifMatch = rest[++i] ?? '';
    else if (arg.startsWith('--if-match=')) ifMatch = arg.slice('--if-match='.length);
    else return { error: `unexpected ${JSON.stringify(arg)}` };
  }
  if (ifMatch !== undefined && !/^\d{1,9}$/.test(ifMatch)) return { error: `--if-match takes a settings version (a whole number), not ${JSON.stringify(ifMatch)}` };
  if (!file) return { error: '--file <settings.json> is required' };
  return ifMatch === undefined ? { action, project, file } : { action, project, file, ifMatch };
}

async function readDocument(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  return JSON.parse(text);
}

export async function run(args: string[], io: CommandIO = processIO()): Promise<number> {
  const parsed = parse(args);
  if ('help' in parsed) {
    io.stdout.write(HELP);
    return 0;
  }
  if ('error' in parsed) {
    io.stderr.write(`optline settings: ${parsed.error}\n\n${HELP}`);
    return 2;
  }
  const path = `/v1/projects/${encodeURIComponent(parsed.project)}/sms-settings`;
  let body: unknown;
  if (parsed.action === 'put') {
    try {
      body = await readDocument(parsed.file);
    } catch (error) {
      io.stderr.write(`optline settings: cannot read ${parsed.file}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const headers: Record<string, string> = parsed.action === 'put' && parsed.ifMatch !== undefined ? { 'if-match': `"${parsed.ifMatch}"` } : {};
  return printAnswer(io, `optline settings ${parsed.action}`, parsed.action === 'put' ? 'PUT' : 'GET', path, body, headers);
}
