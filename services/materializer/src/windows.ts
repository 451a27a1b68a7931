// Window arithmetic and the flush watermark, as pure functions of their inputs.
// Windows are tumbling, [start, start + length), aligned to the epoch (1h windows start on the
// hour), and a window closes at its end plus the grace, by the wall clock.

export interface WindowSpec {
  lengthMs: number;
  graceMs: number;
}

export function windowStart(t: number, lengthMs: number): number {
  return Math.floor(t / lengthMs) * lengthMs;
}

/**
 * The latest window boundary b with b + grace <= now: every window ending at or before b has
 * closed, the one starting at b has not.
 */
export function closedBoundary(now: number, spec: WindowSpec): number {
  return windowStart(now - spec.graceMs, spec.lengthMs);
}

/** The wall-clock time at which the window starting at `boundary` closes. */
export function closesAt(boundary: number, spec: WindowSpec): number {
  return boundary + spec.lengthMs + spec.graceMs;
}

/**
 * The window a fact goes into: the one its `recorded_at` falls in, or, when that one was already
 * flushed (the fact is late), the oldest window not yet flushed, so a late fact is never dropped.
 */
export function assignWindow(recordedAt: number, flushedBefore: number, lengthMs: number): number {
  return Math.max(windowStart(recordedAt, lengthMs), flushedBefore);
}

/**
 * Stored as the offset commit's metadata by every flush of a partition: every fact read from
 * that partition at an offset below `readTo` whose `recorded_at` is before `flushedBefore` has
 * had its events written (see DESIGN.md for why this is exact).
 */
export interface Watermark {
  flushedBefore: number;
  readTo: number;
}

const VERSION = 1;

export function encodeWatermark(w: Watermark): string {
  return JSON.stringify({ v: VERSION, flushedBefore: w.flushedBefore, readTo: w.readTo });
}

export class WatermarkError extends Error {
  constructor(readonly field: string, message: string, readonly metadata: string) {
    super(`offset commit metadata ${JSON.stringify(metadata)}: ${field} ${message}`);
    this.name = 'WatermarkError';
  }
}

/**
 * Null when the commit carries no watermark (never flushed). Anything else that does not parse
 * is an error, never a guess: skipping facts on a misread watermark would lose events.
 */
export function decodeWatermark(metadata: string | null | undefined): Watermark | null {
  if (metadata === null || metadata === undefined || metadata === '') return null;
  let doc: unknown;
  try {
    doc = JSON.parse(metadata);
  } catch {
    throw new WatermarkError('metadata', 'is not JSON', metadata);
  }
  if (typeof doc !== 'object' || doc === null) throw new WatermarkError('metadata', 'is not a JSON object', metadata);
  const o = doc as Record<string, unknown>;
  if (o.v !== VERSION) throw new WatermarkError('v', `must be ${VERSION}`, metadata);
  for (const field of ['flushedBefore', 'readTo'] as const) {
    if (!Number.isSafeInteger(o[field])) throw new WatermarkError(field, 'must be an integer', metadata);
  }
  return { flushedBefore: o.flushedBefore as number, readTo: o.readTo as number };
}

/** True for a re-read fact whose events an earlier flush already wrote. */
export function alreadyFlushed(offset: number, recordedAt: number, w: Watermark | null): boolean {
  return w !== null && offset < w.readTo && recordedAt < w.flushedBefore;
}
