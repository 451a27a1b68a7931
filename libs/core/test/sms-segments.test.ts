import { describe, expect, it } from 'vitest';
import { smsSegments } from '../src/index.ts';

describe('smsSegments', () => {
  it('counts GSM-7 septets: 160 fit one segment, 161 need two of 153', () => {
    expect(smsSegments('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1, remaining: 0 });
    expect(smsSegments('a'.repeat(161))).toMatchObject({ encoding: 'GSM-7', units: 161, segments: 2, perSegment: 153, remaining: 145 });
    expect(smsSegments('a'.repeat(612))).toMatchObject({ segments: 4, remaining: 0 });
    expect(smsSegments('')).toMatchObject({ units: 0, segments: 0 });
  });

  it('counts extension characters (€ [ ] { } ~ ^ | \\) as two septets', () => {
    expect(smsSegments('€[]')).toMatchObject({ encoding: 'GSM-7', units: 6 });
    expect(smsSegments('€'.repeat(80))).toMatchObject({ units: 160, segments: 1 });
    expect(smsSegments('€'.repeat(81))).toMatchObject({ units: 162, segments: 2 });
  });

  it('keeps GSM-7 for the accents of its table (é è à ñ ü), and switches to UCS-2 for any other', () => {
    expect(smsSegments('Répondez à Ñandu, ü').encoding).toBe('GSM-7');
    const fr = smsSegments('Vous êtes désinscrit');
    expect(fr).toMatchObject({ encoding: 'UCS-2', units: 20, segments: 1, perSegment: 70, nonGsm: ['ê'] });
    expect(smsSegments('ê'.repeat(71))).toMatchObject({ segments: 2, perSegment: 67, remaining: 63 });
  });

  it('counts UTF-16 code units in UCS-2: an emoji takes two', () => {
    expect(smsSegments('ok 👍')).toMatchObject({ encoding: 'UCS-2', units: 5, nonGsm: ['👍'] });
  });
});
