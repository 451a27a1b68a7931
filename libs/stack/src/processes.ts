import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';

/** A child process the stack started, remembered by a pid file so `down` stops exactly it. */
export interface ManagedProcess {
  name: string;
  pidFile: string;
  logFile: string;
}

export function managed(runDir: string, logDir: string, name: string): ManagedProcess {
  return { name, pidFile: join(runDir, `${name}.pid`), logFile: join(logDir, `${name}.log`) };
}

/**
 * The pid is ours only while its command line still names our stack folder: a pid file left
 * by a crash may point at an unrelated process that reused the number.
 */
export function livePid(proc: ManagedProcess, marker: string): number | undefined {
  if (!existsSync(proc.pidFile)) return undefined;
  const pid = Number(readFileSync(proc.pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes(marker)) return pid;
  } catch {
    // The process is gone.
  }
  return undefined;
}

export function startDetached(proc: ManagedProcess, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): number {
  mkdirSync(join(proc.pidFile, '..'), { recursive: true });
  mkdirSync(join(proc.logFile, '..'), { recursive: true });
  const out = openSync(proc.logFile, 'a');
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${proc.name} (${command})`);
  child.unref();
  writeFileSync(proc.pidFile, String(child.pid));
  return child.pid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function stopProcess(proc: ManagedProcess, marker: string, graceMs = 30_000): Promise<boolean> {
  const pid = livePid(proc, marker);
  rmSync(proc.pidFile, { force: true });
  if (pid === undefined) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(200);
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await sleep(100);
  }
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The last lines of a log, to put in an error message when a process dies on start. */
export function logTail(proc: ManagedProcess, lines = 20): string {
  if (!existsSync(proc.logFile)) return '(no log)';
  return readFileSync(proc.logFile, 'utf8').trimEnd().split('\n').filter((l) => !/^\s+at /.test(l)).slice(-lines).join('\n');
}
