// Progress of a long command on stderr: a bar redrawn in place on a terminal, a line of counts
// every few seconds in a log (where a redrawn bar would be noise).

export interface ProgressOptions {
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  label: string;
  /** Total work (e.g. bytes of the file), for the bar's fraction. */
  total: number;
  /** How often a log gets a line of counts. */
  logEveryMs?: number;
}

export class Progress {
  private readonly tty: boolean;
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly options: ProgressOptions) {
    this.tty = options.stderr.isTTY === true;
  }

  /** `done` of `total`, and the counts to show. Cheap to call per item: it draws at most 10 times a second. */
  update(done: number, counts: string): void {
    const now = Date.now();
    const every = this.tty ? 100 : (this.options.logEveryMs ?? 2000);
    if (now - this.lastDraw < every) return;
    this.lastDraw = now;
    if (!this.tty) {
      this.options.stderr.write(`${this.options.label}: ${counts}\n`);
      return;
    }
    const fraction = this.options.total > 0 ? Math.min(1, done / this.options.total) : 1;
    const width = 30;
    const filled = Math.round(fraction * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
    this.options.stderr.write(`\r\x1b[K${this.options.label} ${bar} ${counts}`);
    this.drawn = true;
  }

  /** Writes a message of its own line, above the bar. */
  note(line: string): void {
    this.clear();
    this.options.stderr.write(line + '\n');
    this.lastDraw = 0;
  }

  clear(): void {
    if (this.drawn) this.options.stderr.write('\r\x1b[K');
    this.drawn = false;
  }
}
