import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'services', 'cli', 'bin', 'optline.mjs');

/** What each service logs once it is ready. */
const READY: Record<string, string> = {
  matcher: 'matcher started',
  materializer: 'materializer started',
  ingress: 'ingress listening',
  api: 'api listening',
  replier: 'replier started',
};

/** A service run as its own process (`optline run <name>`), restartable, so a test can kill -9 it. */
export class ServiceProcess {
  private process: CliProcess | undefined;
  url: string | undefined;

  constructor(
    readonly name: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Starts the process and resolves once it logged that it is ready (its URL, for HTTP services). */
  async start(timeoutMs = 60_000): Promise<void> {
    this.process = new CliProcess(this.name, this.env);
    const line = await this.process.waitForLog(READY[this.name]!, undefined, timeoutMs);
    if (typeof line.url === 'string') this.url = line.url;
  }

  get running(): boolean {
    return this.process?.running ?? false;
  }

  /** kill -9: no shutdown hook runs, nothing is flushed. */
  async crash(): Promise<void> {
    await this.process?.kill();
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }
}

export type LogLine = Record<string, unknown>;

/**
 * `optline run <name>` as a child process from construction on, its pino JSON log lines
 * parsed, so a service's own test can wait for what it says and kill -9 it at that moment.
 */
export class CliProcess {
  readonly logs: LogLine[] = [];
  /** All of stderr as written, for a test that keeps the logs of the processes it ran. */
  output = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly listeners = new Set<() => void>();

  constructor(readonly name: string, env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [CLI, 'run', name], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    let rest = '';
    this.child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      this.output += text;
      const lines = (rest + text).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          this.logs.push({ msg: line });
        }
      }
      for (const l of this.listeners) l();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first log line matching (by default: whose message is `what`); fails after `timeoutMs` or if the process exits first. */
  waitForLog(what: string, match: (line: LogLine) => boolean = (line) => line.msg === what, timeoutMs = 60_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const line = this.logs.find(match);
        if (!line) return;
        cleanup();
        resolve(line);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`waited ${timeoutMs} ms for log "${what}" of ${this.name}; last lines: ${JSON.stringify(this.logs.filter((l) => l.level !== 20).slice(-5))}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      void this.exited.then((code) => {
        cleanup();
        reject(new Error(`${this.name} exited (${code}) while waiting for "${what}": ${JSON.stringify(this.logs.slice(-5))}`));
      });
      check();
    });
  }

  /** kill -9: no shutdown hook runs, nothing is flushed or committed, open transactions stay open. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, and kill -9 if the service has not shut down within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
