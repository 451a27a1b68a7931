import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const CLI = join(import.meta.dirname, '..', '..', 'services', 'cli', 'bin', 'optline.mjs');

const READY: Record<string, RegExp> = {
  matcher: /"msg":"matcher started"/,
  materializer: /"msg":"materializer started"/,
  ingress: /"msg":"ingress listening"/,
  api: /"msg":"api listening"/,
};

/** A service run as its own process (`optline run <name>`), so a test can kill -9 it. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  url: string | undefined;
  readonly log: string[] = [];

  constructor(
    readonly name: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Starts the process and resolves once it logged that it is ready (its URL, for HTTP services). */
  async start(timeoutMs = 60_000): Promise<void> {
    const child = spawn(process.execPath, [CLI, 'run', this.name], { env: { ...process.env, ...this.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    const lines = createInterface({ input: child.stderr! });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} not ready within ${timeoutMs} ms; last log:\n${this.log.slice(-10).join('\n')}`)), timeoutMs);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited during start (${code ?? signal}); last log:\n${this.log.slice(-10).join('\n')}`));
      });
      lines.on('line', (line) => {
        this.log.push(line);
        if (this.log.length > 500) this.log.shift();
        if (READY[this.name]!.test(line)) {
          const url = /"url":"([^"]+)"/.exec(line);
          if (url) this.url = url[1];
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve();
        }
      });
    });
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** kill -9: no shutdown hook runs, nothing is flushed. */
  async crash(): Promise<void> {
    await this.stop('SIGKILL');
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}
