/** What the n-th callback says; by default a hello from one of a thousand phones to 12345. */
export type MessageOf = (id: string, seq: number) => { from: string; to: string; body: string };

// A thousand phones: the load reaches every partition, so whichever node dies led some of it.
const hello: MessageOf = (id, seq) => ({ from: `421905${100_000 + (seq % 1000)}`, to: '12345', body: `hello ${id}` });

/**
 * Sinch-style callbacks: `perSecond` new messages a second, each retried with back-off (0.5 s,
 * doubling to 4 s) until a 2xx, as Sinch does with a callback it was not answered 2xx for.
 */
export class SinchLikeLoad {
  private seq = 0;
  private running = false;
  private inflight: Promise<void>[] = [];
  private ticker: Promise<void> | undefined;
  /** Every answer: when it arrived and its status (0: no answer). */
  readonly answers: { at: number; status: number }[] = [];
  private readonly accepted = new Map<string, number>(); // id -> attempts until its 2xx
  readonly acceptedAt = new Map<string, number>();

  constructor(
    private readonly url: string,
    private readonly perSecond: number,
    private readonly options: { headers?: Record<string, string>; message?: MessageOf } = {},
  ) {}

  start(): void {
    this.running = true;
    this.ticker = (async () => {
      while (this.running) {
        const id = `c-${String(this.seq++).padStart(6, '0')}`; // fixed width: no id is a substring of another
        this.inflight.push(this.deliver(id, (this.options.message ?? hello)(id, this.seq)));
        await new Promise((r) => setTimeout(r, 1000 / this.perSecond));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.ticker;
    await Promise.all(this.inflight);
  }

  private async deliver(id: string, message: ReturnType<MessageOf>): Promise<void> {
    const body = JSON.stringify({ type: 'mo_text', id, ...message, received_at: new Date().toISOString() });
    for (let attempt = 1, wait = 500; ; attempt++, wait = Math.min(wait * 2, 4000)) {
      const status = await this.post(body);
      this.answers.push({ at: Date.now(), status });
      if (status >= 200 && status < 300) {
        this.accepted.set(id, attempt);
        this.acceptedAt.set(id, Date.now());
        return;
      }
      // Stopped: a few last retries still run, so that what was in flight gets its answer.
      if (!this.running && attempt > 8) return;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  private async post(body: string): Promise<number> {
    try {
      const res = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json', ...this.options.headers }, body, signal: AbortSignal.timeout(15_000) });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }

  acceptedIds(): string[] {
    return [...this.accepted.keys()];
  }

  acceptedFirstTry(): string[] {
    return [...this.accepted].filter(([, attempts]) => attempts === 1).map(([id]) => id);
  }

  answersBetween(from: number, to: number): number[] {
    return this.answers.filter((a) => a.at >= from && a.at <= to).map((a) => a.status);
  }

  /** Between two instants: the longest time without a 2xx, the 503s, the other failures. */
  report(from: number, to: number): { longestPauseMs: number; answers503: number; other: number; accepted: number } {
    const inside = this.answers.filter((a) => a.at >= from && a.at <= to);
    const ok = inside.filter((a) => a.status >= 200 && a.status < 300).map((a) => a.at);
    let longest = 0;
    let last = from;
    for (const at of [...ok, to]) {
      longest = Math.max(longest, at - last);
      last = at;
    }
    return { longestPauseMs: longest, answers503: inside.filter((a) => a.status === 503).length, other: inside.filter((a) => a.status !== 503 && (a.status < 200 || a.status >= 300)).length, accepted: ok.length };
  }
}
