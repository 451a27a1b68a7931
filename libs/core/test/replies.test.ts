import { describe, expect, it } from 'vitest';
import {
  compiledSettings,
  MAX_REPLY_LENGTH,
  REPLY_KIND_OF,
  suggestedSettings,
  validateSettings,
} from '@optline/core';
import { errorsOf, settingsOf } from './results.ts';

const base = {
  trackIncoming: true,
  optOutEnabled: true,
  keywords: ['STOP', 'arrêt'],
  optInKeywords: ['START'],
  helpKeywords: ['HELP', 'info'],
  consentCategories: ['sms'],
  dedicatedNumbers: ['12345'],
};

describe('helpKeywords', () => {
  it('are validated with the keyword rules and merged by normal form', () => {
    const settings = settingsOf(validateSettings('acme', { ...base, helpKeywords: ['HELP', 'help', 'Info', 'H E L P'] }));
    expect(settings.helpKeywords).toEqual(['HELP', 'Info']);
    expect(errorsOf(validateSettings('acme', { ...base, helpKeywords: ['ok', '', 'x'.repeat(21), 3] }))).toEqual([
      ['helpKeywords[1]', 'keyword_empty'],
      ['helpKeywords[2]', 'keyword_too_long'],
      ['helpKeywords[3]', 'keyword_not_a_string'],
    ]);
    expect(errorsOf(validateSettings('acme', { ...base, helpKeywords: Array.from({ length: 101 }, (_, i) => `h${i}`) })))
      .toEqual([['helpKeywords', 'too_many_keywords']]);
  });

  it('may not repeat an opt-out or opt-in keyword', () => {
    const result = validateSettings('acme', { ...base, helpKeywords: ['help', 'Stop', 'start'] });
    expect(errorsOf(result)).toEqual([
      ['helpKeywords[1]', 'keyword_in_both_lists'],
      ['helpKeywords[2]', 'keyword_in_both_lists'],
    ]);
  });

  it('match by the seed rule, longest keyword winning across all three lists', () => {
    const c = compiledSettings(settingsOf(validateSettings('acme', { ...base, keywords: ['stop'], helpKeywords: ['stophelp', 'HELP'] })));
    expect(c.match('Help')).toEqual({ kind: 'help', keyword: 'HELP' });
    expect(c.match(' hélp me')).toEqual({ kind: 'help', keyword: 'HELP' });
    expect(c.match('STOP HELP')).toEqual({ kind: 'help', keyword: 'stophelp' });
    expect(c.match('stop')).toEqual({ kind: 'opt_out', keyword: 'stop' });
    expect(c.match('start')).toEqual({ kind: 'opt_in', keyword: 'START' });
    expect(c.match('Please help')).toBeNull();
  });

  it('still match while opt-out is disabled', () => {
    const c = compiledSettings(settingsOf(validateSettings('acme', { ...base, optOutEnabled: false, keywords: ['help me'] })));
    expect(c.match('help me')).toEqual({ kind: 'help', keyword: 'HELP' });
  });
});

describe('replies', () => {
  const replies = [
    { kind: 'optOut', text: 'You are unsubscribed.' },
    { kind: 'optOut', text: 'Vous êtes désinscrit.', keywords: ['ARRET'] },
    { kind: 'optIn', text: 'Welcome back.' },
    { kind: 'help', text: 'Reply STOP to unsubscribe.' },
  ];

  it('are kept with variant keywords in their configured spelling', () => {
    const settings = settingsOf(validateSettings('acme', { ...base, replies }));
    expect(settings.replies).toEqual([
      { kind: 'optOut', text: 'You are unsubscribed.', keywords: [] },
      { kind: 'optOut', text: 'Vous êtes désinscrit.', keywords: ['arrêt'] },
      { kind: 'optIn', text: 'Welcome back.', keywords: [] },
      { kind: 'help', text: 'Reply STOP to unsubscribe.', keywords: [] },
    ]);
    expect(Object.isFrozen(settings.replies[1])).toBe(true);
  });

  it('pick the variant of the matched keyword, else the default, else none', () => {
    const c = compiledSettings(settingsOf(validateSettings('acme', { ...base, replies: replies.slice(0, 2) })));
    const reply = (body: string) => {
      const hit = c.match(body)!;
      return c.replyFor(REPLY_KIND_OF[hit.kind], hit.keyword)?.text ?? null;
    };
    expect(reply('Arrêt')).toBe('Vous êtes désinscrit.');
    expect(reply('stop')).toBe('You are unsubscribed.');
    expect(reply('help')).toBeNull();
    expect(reply('start')).toBeNull();
    expect(c.replyFor('optOut', null)?.text).toBe('You are unsubscribed.');
  });

  it('without a default, answer only the keywords a variant names', () => {
    const c = compiledSettings(settingsOf(validateSettings('acme', { ...base, replies: [replies[1]] })));
    expect(c.replyFor('optOut', 'arrêt')?.text).toBe('Vous êtes désinscrit.');
    expect(c.replyFor('optOut', 'STOP')).toBeNull();
  });

  it('name every broken reply field in one answer', () => {
    const result = validateSettings('acme', {
      ...base,
      replies: [
        { kind: 'optOut', text: 'ok' },
        { kind: 'optOut', text: '' },
        { kind: 'bye', text: 'x' },
        { kind: 'help', text: 'x'.repeat(MAX_REPLY_LENGTH + 1), keywords: ['stop'] },
        { kind: 'optIn', text: 42, colour: 'red' },
        'text',
        { kind: 'optOut', text: 'second default' },
        { kind: 'optOut', text: 'fr', keywords: ['arret'] },
        { kind: 'optOut', text: 'fr again', keywords: ['ARRÊT', 7] },
        { kind: 'optOut', text: 'fr twice', keywords: ['arret'] },
      ],
    });
    expect(errorsOf(result)).toEqual([
      ['replies[1].text', 'reply_text_empty'],
      ['replies[2].kind', 'reply_kind'],
      ['replies[3].text', 'reply_text_too_long'],
      ['replies[3].keywords[0]', 'reply_keyword_unknown'],
      ['replies[4].colour', 'unknown_field'],
      ['replies[4].text', 'type'],
      ['replies[5]', 'type'],
      ['replies[6]', 'reply_default_duplicate'],
      ['replies[8].keywords[1]', 'keyword_not_a_string'],
      ['replies[9].keywords[0]', 'reply_keyword_duplicate'],
    ]);
  });

  it('count text length in characters, so 612 accented letters fit however they were typed', () => {
    const decomposed = 'e\u0301'.repeat(MAX_REPLY_LENGTH);
    expect(settingsOf(validateSettings('acme', { ...base, replies: [{ kind: 'help', text: decomposed }] })).replies[0]!.text).toBe(decomposed);
  });

  it('are not an array, or too many: one error for the list', () => {
    expect(errorsOf(validateSettings('acme', { ...base, replies: {} }))).toEqual([['replies', 'type']]);
    const many = Array.from({ length: 101 }, () => ({ kind: 'optOut', text: 'x', keywords: ['stop'] }));
    expect(errorsOf(validateSettings('acme', { ...base, replies: many }))[0]).toEqual(['replies', 'too_many_replies']);
  });

  it('check variant keywords only against a kind list that is valid itself', () => {
    const result = validateSettings('acme', { ...base, helpKeywords: [''], replies: [{ kind: 'help', text: 'x', keywords: ['help'] }] });
    expect(errorsOf(result)).toEqual([['helpKeywords[0]', 'keyword_empty']]);
  });
});

describe('possibleOptOuts', () => {
  it('defaults to flag and accepts blacklist and off', () => {
    expect(settingsOf(validateSettings('acme', base)).possibleOptOuts).toBe('flag');
    expect(settingsOf(validateSettings('acme', { ...base, possibleOptOuts: 'blacklist' })).possibleOptOuts).toBe('blacklist');
    expect(settingsOf(validateSettings('acme', { ...base, possibleOptOuts: 'off' })).possibleOptOuts).toBe('off');
    expect(errorsOf(validateSettings('acme', { ...base, possibleOptOuts: 'yes' }))).toEqual([['possibleOptOuts', 'possible_opt_outs_policy']]);
  });
});

describe('suggestedSettings', () => {
  it('covers the FCC and CTIA universal keywords and becomes valid settings once numbers and categories are filled in', () => {
    const suggested = suggestedSettings();
    const settings = settingsOf(validateSettings('acme', { ...suggested, consentCategories: ['sms'], dedicatedNumbers: ['12345'] }));
    const c = compiledSettings(settings);
    for (const word of ['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'revoke', 'opt out', 'optout']) {
      expect(c.match(word)?.kind, word).toBe('opt_out');
      expect(c.replyFor('optOut', c.match(word)!.keyword)?.text, word).toMatch(/unsubscribed/);
    }
    for (const word of ['start', 'unstop']) expect(c.match(word)?.kind, word).toBe('opt_in');
    for (const word of ['help', 'info']) expect(c.match(word)?.kind, word).toBe('help');
    expect(c.replyFor('optOut', c.match('Arrêt')!.keyword)?.text).toMatch(/désinscrit/);
    expect(c.replyFor('optIn', 'start')?.text).toBeTruthy();
    expect(c.replyFor('help', 'info')?.text).toMatch(/STOP/);
  });

  it('is left incomplete on purpose: it names the fields a project must fill in', () => {
    expect(errorsOf(validateSettings('acme', suggestedSettings()))).toEqual([
      ['consentCategories', 'categories_required'],
      ['dedicatedNumbers', 'numbers_required'],
    ]);
  });
});
