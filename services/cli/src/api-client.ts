// The optline API as the CLI commands talk to it: where it is (OPTLINE_API_URL), the token
// (OPTLINE_API_TOKEN, else the one `optline start` wrote to .optline/credentials.env), and how
// a refusal is shown to a person.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@optline/stack';

export const DEFAULT_API_URL = 'http://127.0.0.1:8090';

export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export const processIO = (): CommandIO => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

export interface ApiAnswer {
  status: number;
  body: any;
}

interface ErrorBody {
  error?: { code?: string; message?: string; fields?: { field: string; rule: string; message: string }[] };
}

function tokenFrom(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OPTLINE_API_TOKEN?.trim()) return env.OPTLINE_API_TOKEN.trim();
  let file: string;
  try {
    file = join(repoRoot(), '.optline', 'credentials.env');
  } catch {
    return undefined;
  }
  if (!existsSync(file)) return undefined;
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('OPTLINE_API_TOKEN='));
  return line?.slice('OPTLINE_API_TOKEN='.length).trim() || undefined;
}

export class ApiUnreachable extends Error {}

/** Where the API is, and the headers every call carries (the token). */
export function apiTarget(env: NodeJS.ProcessEnv): { base: string; headers: Record<string, string> } {
  const token = tokenFrom(env);
  return { base: (env.OPTLINE_API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, ''), headers: token ? { authorization: `Bearer ${token}` } : {} };
}

export async function callApi(env: NodeJS.ProcessEnv, method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<ApiAnswer> {
  const target = apiTarget(env);
  const base = target.base;
  const headers: Record<string, string> = { accept: 'application/json', ...target.headers, ...extraHeaders };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { method, headers, signal: AbortSignal.timeout(60_000), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new ApiUnreachable(`cannot reach the optline API at ${base} (${cause}); is it running (npx optline start), and is OPTLINE_API_URL right?`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page): shown as it is.
  }
  return { status: res.status, body: parsed };
}

/** A refusal as lines for a person: the message, then every field with its rule. */
export function describeRefusal(command: string, answer: ApiAnswer): string {
  const error = (answer.body as ErrorBody | undefined)?.error;
  if (!error) return `${command}: the API answered ${answer.status}: ${String(answer.body).slice(0, 500)}\n`;
  // With fields, the message only repeats them.
  const summary = error.fields?.length ? 'refused' : (error.message ?? 'refused');
  const lines = [`${command}: ${summary} (HTTP ${answer.status}, ${error.code ?? 'error'})`];
  for (const f of error.fields ?? []) lines.push(`  ${f.field || '(document)'}: ${f.message} [${f.rule}]`);
  if (answer.status === 401) lines.push('  set OPTLINE_API_TOKEN to the API\'s token');
  return lines.join('\n') + '\n';
}

/** Calls the API and prints its answer: the JSON body on stdout (0), or why not on stderr (1). */
export async function printAnswer(io: CommandIO, command: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<number> {
  let answer: ApiAnswer;
  try {
    answer = await callApi(io.env, method, path, body, headers);
  } catch (error) {
    if (!(error instanceof ApiUnreachable)) throw error;
    io.stderr.write(`${command}: ${error.message}\n`);
    return 1;
  }
  if (answer.status !== 200) {
    io.stderr.write(describeRefusal(command, answer));
    return 1;
  }
  io.stdout.write(JSON.stringify(answer.body, null, 2) + '\n');
  return 0;
}
