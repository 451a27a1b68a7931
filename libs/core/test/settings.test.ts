import { describe, expect, it } from 'vitest';
import {
  compiledSettings,
  DEFAULT_OPT_IN_KEYWORDS,
  DEFAULT_OPT_OUT_KEYWORDS,
  nextVersion,
  validateSettings,
} from '@optline/core';
import { errorsOf, settingsOf } from './results.ts';

const valid = {
  trackIncoming: true,
  optOutEnabled: true,
  keywords: ['STOP', 'arrêt', 'Stop', 'ARRET', 'OPT OUT'],
  optInKeywords: ['START'],
  consentCategories: ['sms', 'sms_marketing'],
  dedicatedNumbers: ['+421 905 123 456', '12345'],
};

describe('validateSettings', () => {
  it('normalises valid settings: keywords merged by normal form, numbers canonical, version 1', () => {
    const settings = settingsOf(validateSettings('acme', valid, { now: 1_700_000_000_000 }));
    expect(settings).toEqual({
      project: 'acme',
      trackIncoming: true,
      optOutEnabled: true,
      keywords: ['STOP', 'arrêt', 'OPT OUT'],
      optInKeywords: ['START'],
      helpKeywords: [],
      replies: [],
      possibleOptOuts: 'flag',
      consentCategories: ['sms', 'sms_marketing'],
      dedicatedNumbers: ['00421905123456', '12345'],
      version: 1,
      updatedAt: 1_700_000_000_000,
    });
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('versions each change after the previous one', () => {
    const first = settingsOf(validateSettings('acme', valid));
    const second = settingsOf(validateSettings('acme', { ...valid, trackIncoming: false }, { previous: first }));
    expect([first.version, second.version]).toEqual([1, 2]);
    expect(nextVersion(second)).toBe(3);
    expect(nextVersion()).toBe(1);
  });

  it('accepts the default keyword sets and a document read back with its version', () => {
    const input = { ...valid, keywords: DEFAULT_OPT_OUT_KEYWORDS, optInKeywords: DEFAULT_OPT_IN_KEYWORDS, project: 'acme', version: 7 };
    const settings = settingsOf(validateSettings('acme', input));
    // White space is ignored, so "OPT OUT" is the same keyword as "OPTOUT" and merges into it.
    expect(settings.keywords).toEqual(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'arret']);
    expect(compiledSettings(settings).match('Opt out please')).toEqual({ kind: 'opt_out', keyword: 'OPTOUT' });
    expect(compiledSettings(settings).match('unstop')).toEqual({ kind: 'opt_in', keyword: 'UNSTOP' });
    expect(settings.version).toBe(1);
  });

  it('does not need keywords or categories while opt-out is disabled', () => {
    const settings = settingsOf(validateSettings('acme', { trackIncoming: true, optOutEnabled: false, dedicatedNumbers: ['12345'] }));
    expect(settings).toMatchObject({ keywords: [], optInKeywords: [], consentCategories: [] });
  });

  it('names every broken field in one answer', () => {
    const result = validateSettings('acme', {
      trackIncoming: 'yes',
      optOutEnabled: true,
      keywords: ['stop', '', 'x'.repeat(21), 42],
      optInKeywords: ['S T O P', 'start'],
      consentCategories: ['a', 'b', 'c', 'd', 'e', ''],
      dedicatedNumbers: ['+421905123456', '0905123456'],
      colour: 'blue',
    });
    expect(errorsOf(result)).toEqual([
      ['colour', 'unknown_field'],
      ['trackIncoming', 'type'],
      ['keywords[1]', 'keyword_empty'],
      ['keywords[2]', 'keyword_too_long'],
      ['keywords[3]', 'keyword_not_a_string'],
      ['consentCategories', 'too_many_categories'],
      ['consentCategories[5]', 'category_empty'],
      ['dedicatedNumbers[1]', 'number_invalid'],
    ]);
  });

  it('limits keyword lists to 100 and applies the same rules to opt-in keywords', () => {
    const many = Array.from({ length: 101 }, (_, i) => `k${i}`);
    expect(errorsOf(validateSettings('acme', { ...valid, keywords: many, optInKeywords: ['ok', '\u0301'] }))).toEqual([
      ['keywords', 'too_many_keywords'],
      ['optInKeywords[1]', 'keyword_empty'],
    ]);
  });

  it('refuses a keyword that is both opt-out and opt-in after normalisation', () => {
    const result = validateSettings('acme', { ...valid, optInKeywords: ['start', 'S t o p'] });
    expect(errorsOf(result)).toEqual([['optInKeywords[1]', 'keyword_in_both_lists']]);
  });

  it('requires keywords and 1-5 categories when opt-out is enabled, and at least one dedicated number', () => {
    const result = validateSettings('acme', { trackIncoming: false, optOutEnabled: true, keywords: [], dedicatedNumbers: [] });
    expect(errorsOf(result)).toEqual([
      ['keywords', 'keywords_required'],
      ['consentCategories', 'categories_required'],
      ['dedicatedNumbers', 'numbers_required'],
    ]);
  });

  it('reports a number owned by another project as a conflict naming that project', () => {
    const owners: Record<string, string> = { '00421905123456': 'other', '12345': 'acme' };
    const result = validateSettings('acme', valid, { ownerOfNumber: (n) => owners[n] });
    expect(result).toEqual({
      ok: false,
      errors: [expect.objectContaining({ field: 'dedicatedNumbers[0]', rule: 'number_owned_by_other_project', message: expect.stringContaining('"other"') })],
      conflicts: [{ field: 'dedicatedNumbers[0]', number: '00421905123456', project: 'other' }],
    });
  });

  it('refuses a non-object, a bad project name and a body for another project', () => {
    expect(errorsOf(validateSettings('acme', [valid]))).toEqual([['', 'type']]);
    expect(errorsOf(validateSettings('a:b', valid))).toEqual([['project', 'project_invalid']]);
    expect(errorsOf(validateSettings('acme', { ...valid, project: 'other' }))).toEqual([['project', 'project_mismatch']]);
  });
});

describe('compiledSettings', () => {
  it('matches both lists with the longest keyword winning across them', () => {
    const settings = settingsOf(validateSettings('acme', { ...valid, keywords: ['stop'], optInKeywords: ['stop start'] }));
    const c = compiledSettings(settings);
    expect(c.match('STOP')).toEqual({ kind: 'opt_out', keyword: 'stop' });
    expect(c.match('Stop, start again')).toEqual({ kind: 'opt_out', keyword: 'stop' });
    expect(c.match('stopstart')).toEqual({ kind: 'opt_in', keyword: 'stop start' });
    expect(c.match('hello')).toBeNull();
  });

  it('ignores opt-out keywords while opt-out is disabled, so they cannot shadow opt-in', () => {
    const settings = settingsOf(validateSettings('acme', { ...valid, optOutEnabled: false, keywords: ['start'], optInKeywords: ['st'] }));
    expect(compiledSettings(settings).match('start')).toEqual({ kind: 'opt_in', keyword: 'st' });
  });

  it('compiles once per settings value', () => {
    const settings = settingsOf(validateSettings('acme', valid));
    expect(compiledSettings(settings)).toBe(compiledSettings(settings));
  });
});
