// The thin adapter to Sinch's SMS REST API: plain fetch with Sinch's request shapes. (@sinch/sms
// can be pointed elsewhere with `smsHostname`, but it hides status codes and Retry-After behind
// its own errors and retries; what optline needs is two calls, with control of both.)

import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs, DEFAULT_RETRY, parseRetryAfter, type RetryPolicy } from './retry.ts';
import type { Batch, BatchList, SendTextBatch } from './types.ts';

export interface SinchClientOptions {
  /** e.g. https://us.sms.api.sinch.com (OPTLINE_SINCH_API_URL). */
  apiUrl: string;
  servicePlanId: string;
  apiToken: string;
  /** One call's time limit; past it the outcome is unknown. Default 10 s. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Sent as User-Agent, so that Sinch's logs (and the test server) tell instances apart. */
  userAgent?: string;
}

/** What one POST came to. `unknown`: Sinch may or may not have accepted it (timeout, reset, 5xx). */
export type SendOutcome =
  | { kind: 'accepted'; batch: Batch }
  | { kind: 'retry'; reason: string; retryAfterMs: number | null; unknown: boolean }
  | { kind: 'rejected'; status: number; reason: string };

export type DeliveryResult =
  | { kind: 'sent'; batch: Batch; attempts: number; foundByLookup: boolean }
  | { kind: 'failed'; reason: string; attempts: number };

export interface DeliverOptions {
  /** Give up when the next attempt would start after this time (epoch ms). */
  giveUpAt: number;
  /** A previous attempt's outcome is unknown: look the batch up before sending. */
  lookUpFirst: boolean;
  /**
   * Not before this time (epoch ms): when the outcome is unknown because another process (a
   * crashed or previous owner) may still have a call in flight, the look-up waits until that
   * call must have ended, or it could miss a batch about to be accepted and send a second one.
   */
  notBefore?: number;
  /** Aborts the waits and calls (on stop); the outcome is then unknown and deliver throws. */
  signal?: AbortSignal;
  /** Called before each wait between attempts, e.g. to count retries. */
  onRetry?: (reason: string, waitMs: number) => void;
  now?: () => number;
}

export class SinchHttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'SinchHttpError';
  }
}

export class SinchClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;

  constructor(private readonly options: SinchClientOptions) {
    this.base = `${options.apiUrl.replace(/\/+$/, '')}/xms/v1/${encodeURIComponent(options.servicePlanId)}/batches`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  /** One POST of a text batch. Never throws for HTTP or network failures: they are outcomes. */
  async send(batch: SendTextBatch, signal?: AbortSignal): Promise<SendOutcome> {
    let res: Response;
    try {
      res = await fetch(this.base, {
        method: 'POST',
        headers: this.headers(),
        body: JSON.stringify({ type: 'mt_text', ...batch }),
        signal: this.signal(signal),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      return { kind: 'retry', reason: `no answer: ${describe(err)}`, retryAfterMs: null, unknown: true };
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      if (signal?.aborted) throw err;
      return { kind: 'retry', reason: `answer cut off (HTTP ${res.status}): ${describe(err)}`, retryAfterMs: null, unknown: true };
    }
    if (res.status === 200 || res.status === 201) {
      try {
        return { kind: 'accepted', batch: JSON.parse(text) as Batch };
      } catch {
        return { kind: 'retry', reason: `HTTP ${res.status} with an unreadable body`, retryAfterMs: null, unknown: true };
      }
    }
    const reason = `HTTP ${res.status}: ${errorText(text)}`;
    if (res.status === 429) return { kind: 'retry', reason, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')), unknown: false };
    if (res.status >= 500 || res.status === 408) {
      return { kind: 'retry', reason, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')), unknown: true };
    }
    return { kind: 'rejected', status: res.status, reason };
  }

  /** The batch sent with this client_reference, or null. Throws SinchHttpError or a network error. */
  async findByClientReference(clientReference: string, signal?: AbortSignal): Promise<Batch | null> {
    const url = `${this.base}?client_reference=${encodeURIComponent(clientReference)}&page_size=1`;
    const res = await fetch(url, { headers: this.headers(), signal: this.signal(signal) });
    const text = await res.text();
    if (res.status !== 200) throw new SinchHttpError(res.status, `look-up of ${clientReference}: HTTP ${res.status}: ${errorText(text)}`);
    const list = JSON.parse(text) as BatchList;
    return list.batches.find((b) => b.client_reference === clientReference) ?? null;
  }

  /**
   * Sends `batch` at most once and keeps trying while Sinch fails transiently: before any
   * re-send after an unknown outcome it looks the batch up by client_reference, so a batch
   * Sinch accepted but whose answer was lost is not sent again. 4xx (but 408 and 429) is final.
   */
  async deliver(batch: SendTextBatch & { client_reference: string }, opts: DeliverOptions): Promise<DeliveryResult> {
    const now = opts.now ?? Date.now;
    let unknown = opts.lookUpFirst;
    const settle = (opts.notBefore ?? 0) - now();
    if (settle > 0) await sleep(settle, undefined, opts.signal ? { signal: opts.signal } : undefined);
    for (let attempt = 0; ; attempt++) {
      let reason: string;
      let retryAfterMs: number | null = null;
      let lookupFailed = false;
      if (unknown) {
        try {
          const found = await this.findByClientReference(batch.client_reference, opts.signal);
          if (found !== null) return { kind: 'sent', batch: found, attempts: attempt, foundByLookup: true };
        } catch (err) {
          if (opts.signal?.aborted) throw err;
          lookupFailed = true;
          reason = `look-up failed: ${describe(err)}`;
        }
      }
      if (!lookupFailed) {
        const outcome = await this.send(batch, opts.signal);
        if (outcome.kind === 'accepted') return { kind: 'sent', batch: outcome.batch, attempts: attempt + 1, foundByLookup: false };
        if (outcome.kind === 'rejected') return { kind: 'failed', reason: outcome.reason, attempts: attempt + 1 };
        reason = outcome.reason;
        retryAfterMs = outcome.retryAfterMs;
        unknown = unknown || outcome.unknown;
      }
      const wait = backoffMs(this.retry, attempt, retryAfterMs);
      if (now() + wait > opts.giveUpAt) return { kind: 'failed', reason: `gave up: ${reason!}`, attempts: attempt + 1 };
      opts.onRetry?.(reason!, wait);
      await sleep(wait, undefined, opts.signal ? { signal: opts.signal } : undefined);
    }
  }

  private headers(): Record<string, string> {
    return {
      authorization: `Bearer ${this.options.apiToken}`, 'content-type': 'application/json', accept: 'application/json',
      ...(this.options.userAgent === undefined ? {} : { 'user-agent': this.options.userAgent }),
    };
  }

  /** The longest a call of this client can last: after it, a call made before has ended. */
  get callLimitMs(): number {
    return this.timeoutMs;
  }

  private signal(outer?: AbortSignal): AbortSignal {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    return outer ? AbortSignal.any([outer, timeout]) : timeout;
  }
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

function errorText(text: string): string {
  try {
    const body = JSON.parse(text) as { code?: string; text?: string };
    if (body.code || body.text) return [body.code, body.text].filter(Boolean).join(': ');
  } catch {
    // not JSON: the raw text, shortened
  }
  return text.slice(0, 200);
}
