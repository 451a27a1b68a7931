import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'services', 'cli', 'bin', 'optline.mjs');

/**
 * `optline start` (every service in one process) as a child in a process group of its own, so a
 * test can send it signals, kill -9 it, and check that nothing of it is left once it exited.
 */
export class StartProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  private readonly child: ChildProcess;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [CLI, 'start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    // OPTLINE_FAULT_LOG=<file> keeps every line the process logged, for reading after a failure.
    const keep = process.env.OPTLINE_FAULT_LOG;
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      if (keep) appendFileSync(keep, chunk);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The URL a service (`ingress`, `api`) logged once it listens (before `start` printed them all). */
  url(service: string): string | undefined {
    const line = this.logs().find((l) => l.service === service && typeof l.url === 'string');
    return line?.url as string | undefined;
  }

  /** Resolves once `start` printed that everything runs; fails if it exits or takes longer. */
  async running(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (!this.stdout.includes('optline is running')) {
      if (exited) throw new Error(`optline start exited before running: ${this.stderr.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`optline start not running within ${timeoutMs} ms: ${this.stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Any process left in its process group (the group id is its pid). */
  groupAlive(): boolean {
    try {
      process.kill(-this.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** kill -9 of the whole group (the test's clean-up, or a crash). */
  async kill(): Promise<void> {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await this.exited;
  }

  /** The log lines (pino JSON on stderr) that parse, for assertions and failure messages. */
  logs(): Record<string, unknown>[] {
    return this.stderr.split('\n').flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }
}
