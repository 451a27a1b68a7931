// When to try a Sinch call again: pure, so the policy is tested without a clock.

export interface RetryPolicy {
  /** First back-off; it doubles per attempt. */
  initialMs: number;
  /** Longest back-off between two attempts. */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 500, maxMs: 30_000 };

/**
 * The wait before attempt `attempt + 1` (0-based): exponential with "equal jitter" (half fixed,
 * half random), so that replies failed together by one outage do not return together. A
 * Retry-After the server sent wins when it is longer.
 */
export function backoffMs(policy: RetryPolicy, attempt: number, retryAfterMs: number | null, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  const jittered = exp / 2 + (exp / 2) * random();
  return retryAfterMs === null ? jittered : Math.max(retryAfterMs, jittered);
}

/** A Retry-After header in milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
