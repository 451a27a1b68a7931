import { describe, expect, it } from 'vitest';
import {
  adjacentKeys, compilePhrases, compilePossibleOptOuts, DEFAULT_OPT_OUT_KEYWORDS, LANGUAGES, normalize, PhraseRuleError,
  slipOf, words, type LanguageRules,
} from '@optline/core';

const detector = compilePossibleOptOuts(DEFAULT_OPT_OUT_KEYWORDS);
const detect = (body: string) => detector.detect(body);

describe('words', () => {
  it.each([
    ["Don't text me!", ['dont', 'text', 'me']],
    ['don’t STOP', ['dont', 'stop']],
    ["Arrêtez de m'envoyer des SMS", ['arretez', 'de', 'menvoyer', 'des', 'sms']],
    ['arre\u0302tez', ['arretez']],
    ['stop-texting…', ['stop', 'texting']],
    ["  'quoted' ", ['quoted']],
    ['Odhlásiť, prosím', ['odhlasit', 'prosim']],
    ['Przestańcie wysyłać SMS-ów 👍', ['przestancie', 'wysylac', 'sms', 'ow']],
    ['ＳＴＯＰ', ['stop']],
    ['Grüße', ['grusse']],
    ['', []],
    ['?!', []],
  ])('%j -> %j', (body, expected) => {
    expect(words(body)).toEqual(expected);
  });

  it('gives each word in the normal form of `normalize` when no punctuation stands in it', () => {
    const bodies = ['Ďakujem Ça VA', 'ΟΔΟΣ ΟΔΟΣΑ', 'arre\u0302tez  DE\tmoi', 'ｆｕｌｌ width', 'Přestaňte psát'];
    for (const body of bodies) expect(words(body)).toEqual(body.split(/\s+/).filter(Boolean).map(normalize));
  });

  it('stops at the limit', () => {
    expect(words('a b c d e f', 3)).toEqual(['a', 'b', 'c']);
  });
});

describe('slipOf', () => {
  it.each([
    ['stpo', 'stop', 'swapped letters'],
    ['tsop', 'stop', 'swapped letters'],
    ['st0p', 'stop', 'adjacent key'],
    ['stoo', 'stop', 'adjacent key'],
    ['sttop', 'stop', 'extra letter'],
    ['stp', 'stop', 'missing letter'],
    ['unsubscibe', 'unsubscribe', 'missing letter'],
  ])('%j is one slip (%s) from %j', (word, keyword, slip) => {
    expect(slipOf(word, keyword)).toBe(slip);
  });

  it.each([
    ['step', 'stop'], // e and o are not neighbours
    ['top', 'stop'], // the first letter is kept
    ['atop', 'stop'],
    ['garret', 'arret'],
    ['spot', 'stop'],
    ['stop', 'stop'],
    ['sotpp', 'stop'],
  ])('%j is not one slip from %j', (word, keyword) => {
    expect(slipOf(word, keyword)).toBeNull();
  });

  it('knows QWERTY and QWERTZ neighbours', () => {
    expect(adjacentKeys('o', 'p')).toBe(true);
    expect(adjacentKeys('t', 'z')).toBe(true);
    expect(adjacentKeys('t', 'h')).toBe(false);
  });
});

describe('compilePossibleOptOuts', () => {
  it('explains a phrase with its language and the words that matched', () => {
    expect(detect('please stop texting me')).toEqual({
      possible: true, rule: 'phrase', language: 'en', evidence: 'please stop',
      reason: '"please stop" matches the en phrase rule "@please stop"',
    });
  });

  it('explains a typo with the keyword and the slip', () => {
    expect(detect('stpo')).toEqual({
      possible: true, rule: 'keyword_typo', keyword: 'STOP', evidence: 'stpo',
      reason: '"stpo" is one slip (swapped letters) from the opt-out keyword "STOP"',
    });
  });

  it('flags a keyword behind punctuation or split by it', () => {
    expect(detect('*STOP*')).toMatchObject({ possible: true, rule: 'keyword_variant', keyword: 'STOP' });
    expect(detect('opt-out')).toMatchObject({ possible: true, rule: 'keyword_variant', keyword: 'OPTOUT', evidence: 'opt out' });
  });

  it('answers false for a body the keyword rule matches: that is an opt-out, not a possible one', () => {
    expect(detect('STOP texting me')).toEqual({ possible: false, reason: null, rule: null, evidence: null });
  });

  it('keeps the product page examples apart', () => {
    expect(detect('Please stop').possible).toBe(true);
    expect(detect('Unsubscribe me').possible).toBe(false); // the keyword UNSUBSCRIBE matches it
    expect(detect('Garret').possible).toBe(false);
    expect(detect('barret').possible).toBe(false);
  });

  it('only looks for typos of keywords of 4+ letters', () => {
    const short = compilePossibleOptOuts(['end', 'stop']);
    expect(short.detect('ned').possible).toBe(false);
    expect(short.detect('sotp').possible).toBe(true);
  });

  it('takes the typo targets from the configured keywords', () => {
    expect(compilePossibleOptOuts(['abmelden']).detect('abmleden')).toMatchObject({ possible: true, keyword: 'abmelden' });
    expect(compilePossibleOptOuts(['abmelden']).detect('sotp').possible).toBe(false);
  });

  it('drops a request that a "not" rule overlaps', () => {
    expect(detect("Don't stop the offers").possible).toBe(false);
    expect(detect("I'll stop by the shop tomorrow").possible).toBe(false);
    expect(detect('Stop texting me, I said').possible).toBe(false); // a keyword match
  });

  it('is deterministic and leaves the detector unchanged', () => {
    const bodies = ['please stop texting me', 'hello', 'stpo', 'no more messages'];
    const first = bodies.map(detect);
    expect(bodies.map(detect)).toEqual(first);
  });
});

describe('phrase rules', () => {
  it('compile in every language', () => {
    expect(() => compilePhrases(LANGUAGES)).not.toThrow();
    expect(LANGUAGES.map((l) => l.language)).toEqual(['en', 'fr', 'de', 'es', 'it', 'pt', 'nl', 'pl', 'cs', 'sk']);
  });

  const lang = (stop: string[], not: string[] = [], classes: Record<string, string> = {}): LanguageRules => ({
    language: 'xx', classes, stop, not, notTypos: [],
  });

  it('support alternatives, prefixes, classes, optional words, gaps and anchors', () => {
    const book = compilePhrases([lang(['^hello [dear] wor* ... @end', 'bye|ciao $'], [], { end: 'now later' })]);
    const find = (s: string) => book.find(words(s))?.pattern.source ?? null;
    expect(find('Hello world now')).toBe('^hello [dear] wor* ... @end');
    expect(find('hello dear worlds of ours later')).toBe('^hello [dear] wor* ... @end');
    expect(find('hello world a b c d now')).toBeNull(); // a gap is at most three words
    expect(find('oh hello world now')).toBeNull();
    expect(find('ok ciao')).toBe('bye|ciao $');
    expect(find('ciao ok')).toBeNull();
  });

  it('name the language, the pattern and the problem of a broken rule', () => {
    expect(() => compilePhrases([lang(['st* op'])])).toThrow(PhraseRuleError);
    expect(() => compilePhrases([lang(['st* op'])])).toThrow('phrase rule xx "st* op": prefix "st*" is shorter than 3 letters');
    expect(() => compilePhrases([lang(['@nope'])])).toThrow('unknown class @nope');
    expect(() => compilePhrases([lang(['... stop'])])).toThrow('needs a required word first');
    expect(() => compilePhrases([lang(['a-b'])])).toThrow('"a-b" is not one word');
  });
});
