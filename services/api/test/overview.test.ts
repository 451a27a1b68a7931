import { describe, expect, it } from 'vitest';
import { Activity, HOUR_MS, MAX_SAMPLES, percentile } from '../src/overview/activity.ts';

const at = (hour: number, minute = 0) => Date.UTC(2026, 11, 1, hour, minute);

describe('Activity (the Overview)', () => {
  it('counts opt-outs and replies per hour over the 24 hours up to now, per project', () => {
    const a = new Activity();
    a.optOut('p', at(10, 5));
    a.optOut('p', at(10, 59));
    a.optOut('p', at(11, 0));
    a.reply('p', at(11, 30));
    a.optOut('other', at(11, 1));
    a.optOut('p', at(11, 0) - 24 * HOUR_MS); // 24 h before 11:00: outside the window
    const o = a.overview('p', at(11, 45));
    expect(o.hours).toHaveLength(24);
    expect(o.from).toBe(at(11) - 23 * HOUR_MS);
    expect(o.to).toBe(at(12));
    expect(o.hours.at(-2)).toEqual({ start: at(10), optOuts: 2, replies: 0 });
    expect(o.hours.at(-1)).toEqual({ start: at(11), optOuts: 1, replies: 1 });
    expect(o.hours.reduce((n, h) => n + h.optOuts, 0)).toBe(3);
    expect(a.overview('unknown', at(11)).hours.every((h) => h.optOuts === 0 && h.replies === 0)).toBe(true);
  });

  it('gives nearest-rank p50 and p99 of the latencies sampled in the window', () => {
    const a = new Activity();
    for (let i = 1; i <= 200; i++) a.latency('p', 'inboundToBlacklisted', at(11), i);
    a.latency('p', 'inboundToBlacklisted', at(11) - 25 * HOUR_MS, 99_999);
    const o = a.overview('p', at(11, 30));
    expect(o.latency.inboundToBlacklisted).toEqual({ count: 200, p50: 100, p99: 198 });
    expect(o.latency.inboundToConfirmation).toEqual({ count: 0, p50: null, p99: null });
  });

  it('keeps the newest samples only', () => {
    const a = new Activity();
    for (let i = 0; i < MAX_SAMPLES + 10; i++) a.latency('p', 'inboundToConfirmation', at(11), i < 10 ? 1_000_000 : 5);
    expect(a.overview('p', at(11)).latency.inboundToConfirmation).toEqual({ count: MAX_SAMPLES, p50: 5, p99: 5 });
  });

  it('percentile: nearest rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  });
});
