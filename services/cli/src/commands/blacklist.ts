// `optline blacklist get|list|export|block|clear|import|history`: the opt-out list through the API.
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { apiTarget, describeRefusal, printAnswer, processIO, type CommandIO } from '../api-client.ts';
import { Progress } from '../progress.ts';

const HELP = `Usage: optline blacklist <command> <project> ...

  get <project> <phone>                      the phone's entry (JSON); exit 1 when not blacklisted
  list <project> [--status S] [--limit N] [--cursor C]
                                             a page of entries in phone order (JSON, with next_cursor)
  export <project> [--status S] [--output F] every entry as CSV (phone,status,source,keyword,
                                             message_id,blocked_at,updated_at), streamed to F or stdout
  block <project> <phone> --reason R         block by hand (source manual); refused at send-check at once
  clear <project> <phone> --reason R         clear by hand; the reason is required
  import <project> <file> [--reason R]       a CSV with a phone column (and optionally opted_out_at,
                                             RFC 3339) or JSON lines ({"phone", "opted_out_at"?});
                                             bad lines are reported as "line N: field: message [rule]"
                                             and the good ones imported; the same file twice changes nothing
  history <project> <phone>                  every change of the entry, oldest first (JSON)

Options: --actor A names who makes a change (default cli:<user name>); S is BLOCKED or CONSENT_TRACKED.
The phone may be in any accepted form: +421905123456, 00421905123456, 421905123456, with spaces,
dashes or brackets. The API is at OPTLINE_API_URL (default http://127.0.0.1:8090); the token is
OPTLINE_API_TOKEN, else the one \`optline start\` wrote to .optline/credentials.env.

Exit codes: 0 done; 1 refused (the reason on stderr), the API unreachable, or an import with bad
lines; 2 bad arguments.
`;

type Flags = Record<string, string>;

function parse(args: string[]): { positional: string[]; flags: Flags } | string {
  const positional: string[] = [];
  const flags: Flags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const value = inline ?? args[++i];
    if (value === undefined) return `--${name} needs a value`;
    flags[name] = value;
  }
  return { positional, flags };
}

const USAGE: Record<string, { args: number; flags: string[] }> = {
  get: { args: 2, flags: [] }, list: { args: 1, flags: ['status', 'limit', 'cursor'] }, export: { args: 1, flags: ['status', 'output'] },
  block: { args: 2, flags: ['reason', 'actor'] }, clear: { args: 2, flags: ['reason', 'actor'] },
  import: { args: 2, flags: ['reason', 'actor'] }, history: { args: 2, flags: [] },
};

const enc = encodeURIComponent;
const query = (flags: Flags, names: string[]) => {
  const q = new URLSearchParams(names.filter((n) => flags[n] !== undefined).map((n): [string, string] => [n, flags[n]!]));
  return q.size ? `?${q}` : '';
};

async function fetchOr1(io: CommandIO, command: string, path: string, init: RequestInit & { duplex?: 'half' }): Promise<Response | number> {
  const { base, headers } = apiTarget(io.env);
  try {
    return await fetch(`${base}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    io.stderr.write(`${command}: cannot reach the optline API at ${base} (${cause}); is it running (npx optline start)?\n`);
    return 1;
  }
}

async function refused(io: CommandIO, command: string, res: Response): Promise<number> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // shown as it is
  }
  io.stderr.write(describeRefusal(command, { status: res.status, body }));
  return 1;
}

async function exportCsv(io: CommandIO, project: string, flags: Flags): Promise<number> {
  const res = await fetchOr1(io, 'optline blacklist export', `/v1/projects/${enc(project)}/blacklist${query(flags, ['status'])}`, { headers: { accept: 'text/csv' } });
  if (typeof res === 'number') return res;
  if (res.status !== 200 || !res.body) return refused(io, 'optline blacklist export', res);
  let lines = -1;
  const count = new Transform({
    transform(chunk: Buffer, _e, done) {
      for (const b of chunk) if (b === 10) lines++;
      done(null, chunk);
    },
  });
  const source = Readable.fromWeb(res.body as never).pipe(count);
  if (flags.output) await pipeline(source, createWriteStream(flags.output));
  else for await (const chunk of source) if (!io.stdout.write(chunk)) await new Promise((r) => io.stdout.once('drain', r));
  io.stderr.write(`optline blacklist export: ${Math.max(0, lines)} entries${flags.output ? ` to ${flags.output}` : ''}\n`);
  return 0;
}

async function importFile(io: CommandIO, project: string, file: string, flags: Flags, actor: string): Promise<number> {
  const command = 'optline blacklist import';
  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    io.stderr.write(`${command}: cannot read ${file}: ${(error as Error).message}\n`);
    return 1;
  }
  const jsonLines = /\.(jsonl|ndjson)$/i.test(file);
  const progress = new Progress({ stderr: io.stderr, label: 'blacklist import', total: size });
  let sent = 0;
  const counted = createReadStream(file).pipe(new Transform({
    transform(chunk: Buffer, _e, done) {
      sent += chunk.length;
      progress.update(sent, `${sent} of ${size} bytes sent`);
      done(null, chunk);
    },
  }));
  const res = await fetchOr1(io, command, `/v1/projects/${enc(project)}/blacklist/import${query(flags, ['reason'])}`, {
    method: 'POST', duplex: 'half', body: Readable.toWeb(counted) as never,
    headers: { 'content-type': jsonLines ? 'application/x-ndjson' : 'text/csv', 'x-optline-actor': actor, accept: 'application/json' },
  });
  progress.clear();
  if (typeof res === 'number') return res;
  if (res.status !== 200) return refused(io, command, res);
  const result = (await res.json()) as { lines: number; imported: number; already_listed: number; duplicates: number; visible: boolean; refused: { line: number; field: string; rule: string; message: string }[]; refused_total: number };
  for (const r of result.refused) io.stderr.write(`line ${r.line}: ${r.field}: ${r.message.replace(/^line \d+: /, '')} [${r.rule}]\n`);
  if (result.refused_total > result.refused.length) io.stderr.write(`... and ${result.refused_total - result.refused.length} more refused lines\n`);
  io.stdout.write(`${result.imported} imported, ${result.already_listed} already on the list, ${result.duplicates} repeated lines, ${result.refused_total} refused${result.visible ? '' : ' (not every imported phone was visible yet when the API answered)'}\n`);
  return result.refused_total > 0 ? 1 : 0;
}

export async function run(args: string[], io: CommandIO = processIO()): Promise<number> {
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    io.stdout.write(HELP);
    return 0;
  }
  const [action, ...rest] = args;
  const usage = USAGE[action ?? ''];
  const parsed = parse(rest);
  const problem = usage === undefined ? `unknown command ${JSON.stringify(action)}`
    : typeof parsed === 'string' ? parsed
    : parsed.positional.length !== usage.args ? `${action} takes ${usage.args === 1 ? '<project>' : '<project> and one more argument'}`
    : Object.keys(parsed.flags).find((f) => !usage.flags.includes(f)) !== undefined ? `${action} has no option --${Object.keys(parsed.flags).find((f) => !usage.flags.includes(f))}`
    : (action === 'block' || action === 'clear') && !parsed.flags.reason?.trim() ? `${action} needs --reason: every manual change is recorded with why`
    : null;
  if (problem !== null || typeof parsed === 'string') {
    io.stderr.write(`optline blacklist: ${problem}\n\n${HELP}`);
    return 2;
  }
  const { positional: [project, second], flags } = parsed;
  const actor = flags.actor ?? `cli:${userInfo().username}`;
  const entry = `/v1/projects/${enc(project!)}/blacklist/${enc(second ?? '')}`;
  const name = `optline blacklist ${action}`;
  switch (action) {
    case 'get': return printAnswer(io, name, 'GET', entry);
    case 'history': return printAnswer(io, name, 'GET', `${entry}/history`);
    case 'list': return printAnswer(io, name, 'GET', `/v1/projects/${enc(project!)}/blacklist${query(flags, ['status', 'limit', 'cursor'])}`);
    case 'block': return printAnswer(io, name, 'PUT', entry, { reason: flags.reason }, { 'x-optline-actor': actor });
    case 'clear': return printAnswer(io, name, 'DELETE', `${entry}${query(flags, ['reason'])}`, undefined, { 'x-optline-actor': actor });
    case 'export': return exportCsv(io, project!, flags);
    default: return importFile(io, project!, second!, flags, actor);
  }
}
