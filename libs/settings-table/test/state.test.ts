import { describe, expect, it } from 'vitest';
import type { SmsSettings } from '@optline/core';
import { SettingsState } from '../src/state.ts';

function settings(project: string, version: number, dedicatedNumbers: string[]): SmsSettings {
  return { project, version, trackIncoming: true, optOutEnabled: true, keywords: ['STOP'], optInKeywords: [], helpKeywords: [], replies: [], possibleOptOuts: 'flag', consentCategories: ['sms'], dedicatedNumbers };
}

describe('SettingsState', () => {
  it('keeps the latest settings per project and the owner of each dedicated number', () => {
    const s = new SettingsState();
    s.apply('a', settings('a', 1, ['12345', '00421905123456']));
    s.apply('b', settings('b', 1, ['55555']));
    expect(s.get('a')?.version).toBe(1);
    expect(s.ownerOfNumber('12345')).toBe('a');
    expect(s.ownerOfNumber('55555')).toBe('b');
    expect(s.ownerOfNumber('99999')).toBeUndefined();
    expect(s.size).toBe(2);
  });

  it('releases the numbers a project no longer lists, and all of them on a tombstone', () => {
    const s = new SettingsState();
    s.apply('a', settings('a', 1, ['12345', '23456']));
    s.apply('a', settings('a', 2, ['23456']));
    expect(s.ownerOfNumber('12345')).toBeUndefined();
    expect(s.ownerOfNumber('23456')).toBe('a');
    s.apply('a', null);
    expect(s.get('a')).toBeUndefined();
    expect(s.ownerOfNumber('23456')).toBeUndefined();
  });

  it('ignores an older version (a re-read after a rejoin) but applies the same version again (last write wins)', () => {
    const s = new SettingsState();
    s.apply('a', settings('a', 3, ['12345']));
    expect(s.apply('a', settings('a', 2, ['55555']))).toBe(false);
    expect(s.get('a')?.dedicatedNumbers).toEqual(['12345']);
    expect(s.apply('a', settings('a', 3, ['23456']))).toBe(true);
    expect(s.ownerOfNumber('23456')).toBe('a');
    expect(s.ownerOfNumber('12345')).toBeUndefined();
  });

  it('gives a number claimed by two projects (concurrent writers) to the first claim, then to the other once released', () => {
    const s = new SettingsState();
    s.apply('a', settings('a', 1, ['12345']));
    s.apply('b', settings('b', 1, ['12345']));
    expect(s.ownerOfNumber('12345')).toBe('a');
    s.apply('a', settings('a', 2, ['23456']));
    expect(s.ownerOfNumber('12345')).toBe('b');
    expect(s.owners()).toEqual(new Map([['12345', 'b'], ['23456', 'a']]));
  });

  it('keeps recent versions, also one older than the held one, so a PUT answers with the version it stored', () => {
    const s = new SettingsState();
    s.apply('a', settings('a', 2, ['12345']));
    s.apply('a', settings('a', 3, ['12345']));
    expect(s.apply('a', settings('a', 1, ['12345']))).toBe(false);
    expect([1, 2, 3].map((v) => s.version('a', v)?.version)).toEqual([1, 2, 3]);
    expect(s.get('a')?.version).toBe(3);
    expect(s.version('a', 4)).toBeUndefined();
  });
});
