import { describe, expect, it } from 'vitest';
import { parseRfc3339 } from '../src/timestamp.ts';
import { seededRandom } from '../../../test/support/random.ts';

const ms = (text: string) => {
  const r = parseRfc3339(text);
  if (!r.ok) throw new Error(r.reason);
  return r.ms;
};
const refused = (text: string) => {
  const r = parseRfc3339(text);
  return r.ok ? null : r.reason;
};

describe('RFC 3339 date-times', () => {
  it('a leap second (23:59:60 UTC, in any offset) counts as 23:59:59 with its fraction', () => {
    expect(ms('2026-06-30T23:59:60Z')).toBe(Date.UTC(2026, 5, 30, 23, 59, 59));
    expect(ms('2016-12-31T23:59:60.5Z')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59, 500));
    expect(ms('2017-01-01T00:59:60+01:00')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59));
    expect(ms('1990-12-31T15:59:60-08:00')).toBe(Date.UTC(1990, 11, 31, 23, 59, 59));
    expect(refused('2026-06-30T12:59:60Z')).toMatch(/leap second .* not at 23:59:60 UTC/);
  });

  it('refuses hour-only and basic-format offsets and a missing offset, naming the expected form', () => {
    for (const text of ['2026-12-01T06:00:00+01', '2026-12-01T06:00:00-05', '2026-12-01T06:00:00+0100', '2026-12-01T06:00:00', '2026-12-01 06:00:00Z', '2026-12-01T06:00Z']) {
      expect(refused(text), text).toMatch(/is not an RFC 3339 date-time .*Z or ±hh:mm/);
    }
  });

  it('accepts offsets, lower-case t and z, and any fraction length (truncated to ms)', () => {
    expect(ms('2026-12-01T06:00:00+01:00')).toBe(Date.UTC(2026, 11, 1, 5));
    expect(ms('2026-12-01T06:00:00-05:30')).toBe(Date.UTC(2026, 11, 1, 11, 30));
    expect(ms('2026-12-01t06:00:00z')).toBe(Date.UTC(2026, 11, 1, 6));
    expect(ms('2026-12-01T06:00:00.123456789Z')).toBe(Date.UTC(2026, 11, 1, 6, 0, 0, 123));
    expect(ms('2026-12-01T06:00:00.1Z')).toBe(Date.UTC(2026, 11, 1, 6, 0, 0, 100));
    expect(ms('0001-01-01T00:00:00Z')).toBe(Date.parse('0001-01-01T00:00:00Z'));
    expect(ms('9999-12-31T23:59:59.999Z')).toBe(Date.parse('9999-12-31T23:59:59.999Z'));
  });

  it('refuses impossible dates and times', () => {
    expect(refused('2026-02-29T00:00:00Z')).toMatch(/no day 29 in 2026-02/);
    expect(ms('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29));
    expect(refused('2100-02-29T00:00:00Z')).toMatch(/no day 29/);
    expect(refused('2026-13-01T00:00:00Z')).toMatch(/no month 13/);
    expect(refused('2026-04-31T00:00:00Z')).toMatch(/no day 31/);
    expect(refused('2026-04-00T00:00:00Z')).toMatch(/no day 0/);
    expect(refused('2026-04-01T24:00:00Z')).toMatch(/time of day out of range/);
    expect(refused('2026-04-01T23:60:00Z')).toMatch(/time of day out of range/);
    expect(refused('2026-04-01T23:00:00+24:00')).toMatch(/offset out of range/);
  });

  it('agrees with Date.parse on 20,000 random valid date-times it can read', () => {
    const r = seededRandom(3339);
    const int = (n: number) => Math.floor(r() * n);
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    for (let i = 0; i < 20_000; i++) {
      const at = new Date(int(253_402_300_799_000));
      const offset = int(3) === 0 ? 'Z' : `${int(2) ? '+' : '-'}${pad(int(24))}:${pad(int(60))}`;
      const text = `${at.toISOString().slice(0, 19)}${int(2) ? `.${pad(int(1000), 3)}` : ''}${offset}`;
      expect(ms(text), text).toBe(Date.parse(text));
    }
  });
});
