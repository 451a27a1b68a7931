import { describe, expect, it } from 'vitest';
import { alreadyFlushed, assignWindow, closedBoundary, closesAt, decodeWatermark, encodeWatermark, windowStart, WatermarkError } from '../src/windows.ts';

const HOUR = 3_600_000;
const spec = { lengthMs: HOUR, graceMs: 60_000 };
const t = (iso: string) => Date.parse(iso);

describe('windows', () => {
  it('aligns 1h windows to the hour', () => {
    expect(windowStart(t('2026-03-01T10:59:59.999Z'), HOUR)).toBe(t('2026-03-01T10:00:00Z'));
    expect(windowStart(t('2026-03-01T11:00:00Z'), HOUR)).toBe(t('2026-03-01T11:00:00Z'));
  });

  it('closes a window at its end plus the grace', () => {
    expect(closedBoundary(t('2026-03-01T11:00:59.999Z'), spec)).toBe(t('2026-03-01T10:00:00Z'));
    expect(closedBoundary(t('2026-03-01T11:01:00Z'), spec)).toBe(t('2026-03-01T11:00:00Z'));
    expect(closesAt(t('2026-03-01T11:00:00Z'), spec)).toBe(t('2026-03-01T12:01:00Z'));
  });

  it('puts a fact in its own window, or a late one in the oldest window not yet flushed', () => {
    expect(assignWindow(t('2026-03-01T10:30:00Z'), t('2026-03-01T10:00:00Z'), HOUR)).toBe(t('2026-03-01T10:00:00Z'));
    expect(assignWindow(t('2026-03-01T09:59:00Z'), t('2026-03-01T10:00:00Z'), HOUR)).toBe(t('2026-03-01T10:00:00Z'));
    expect(assignWindow(t('2026-03-01T09:59:00Z'), Number.NEGATIVE_INFINITY, HOUR)).toBe(t('2026-03-01T09:00:00Z'));
  });
});

describe('watermark', () => {
  it('round-trips through the commit metadata', () => {
    const w = { flushedBefore: t('2026-03-01T11:00:00Z'), readTo: 1234 };
    expect(decodeWatermark(encodeWatermark(w))).toEqual(w);
    expect(decodeWatermark(null)).toBeNull();
    expect(decodeWatermark('')).toBeNull();
  });

  it('refuses metadata it cannot read, naming the field', () => {
    expect(() => decodeWatermark('nope')).toThrow(WatermarkError);
    expect(() => decodeWatermark('{"v":1,"flushedBefore":1}')).toThrow(/readTo must be an integer/);
    expect(() => decodeWatermark('{"v":2,"flushedBefore":1,"readTo":2}')).toThrow(/v must be 1/);
  });

  it('says a re-read fact was flushed only below readTo and before flushedBefore', () => {
    const w = { flushedBefore: 1000, readTo: 50 };
    expect(alreadyFlushed(49, 999, w)).toBe(true);
    expect(alreadyFlushed(50, 999, w)).toBe(false);
    expect(alreadyFlushed(49, 1000, w)).toBe(false);
    expect(alreadyFlushed(0, 0, null)).toBe(false);
  });
});
