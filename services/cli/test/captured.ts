// Runs a CLI command with its output captured, as the tests read it.
import { PassThrough } from 'node:stream';
import type { CommandIO } from '../src/api-client.ts';

export async function captured(command: (args: string[], io: CommandIO) => Promise<number>, args: string[], env: NodeJS.ProcessEnv) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c) => (stdout += c));
  err.on('data', (c) => (stderr += c));
  const code = await command(args, { stdout: out, stderr: err, env });
  return { code, stdout, stderr };
}
