import { describe, expect, it } from 'vitest';
import { compileKeywords, KeywordRuleError, keywordLength, naiveMatch, normalize } from '@optline/core';

const productPage = compileKeywords(['stop', 'arret']);

describe('the product page examples (keywords "stop" and "arret")', () => {
  it.each([
    ['STOP', 'stop'],
    ['Stop', 'stop'],
    ['stop', 'stop'],
    [' stop', 'stop'],
    ['šťóp', 'stop'],
    ['stopwatches', 'stop'],
    ['Arret', 'arret'],
    ['ARRET', 'arret'],
    ['arret', 'arret'],
    ['arrêt', 'arret'],
  ])('%j triggers an opt-out by %j', (body, keyword) => {
    expect(productPage.match(body)).toBe(keyword);
    expect(naiveMatch(['stop', 'arret'], body)).toBe(keyword);
  });

  it.each(['Please stop', 'Unsubscribe me', 'Garret', 'barret'])('%j does not trigger an opt-out', (body) => {
    expect(productPage.match(body)).toBeNull();
    expect(naiveMatch(['stop', 'arret'], body)).toBeNull();
  });
});

describe('normalize', () => {
  it('treats precomposed and combining accents alike', () => {
    expect(normalize('arr\u00eat')).toBe('arret');
    expect(normalize('arre\u0302t')).toBe('arret');
  });

  it('folds compatibility forms such as full-width letters and ligatures', () => {
    expect(normalize('ＳＴＯＰ')).toBe('stop');
    expect(normalize('ﬁn')).toBe('fin');
  });

  it('removes every kind of Unicode white space, including NEL and the byte order mark', () => {
    const spaces = ['\u0020', '\u00a0', '\t', '\n', '\r', '\u000b', '\u000c', '\u0085', '\u1680', '\u2002', '\u2009', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff'];
    for (const space of spaces) expect(normalize(`${space}s${space}t o p${space}`), JSON.stringify(space)).toBe('stop');
  });

  it('keeps zero-width space, which is not white space, and punctuation', () => {
    expect(normalize('\u200bstop')).toBe('\u200bstop');
    expect(normalize('.stop!')).toBe('.stop!');
  });

  it('lower-cases Greek capital sigma by its position in the word', () => {
    expect(normalize('ΟΔΟΣ')).toBe('οδος');
    expect(normalize('ΟΔΟΣΑ')).toBe('οδοσα');
    expect(normalize('ΟΔΟΣ ΑΒ')).toBe('οδοςαβ');
  });
});

describe('compiled matcher', () => {
  it('matches keywords written with accents, capitals or spaces, answering with the configured spelling', () => {
    const m = compileKeywords(['Arrêt', 'OPT OUT']);
    expect(m.match('arret')).toBe('Arrêt');
    expect(m.match('ARRE\u0302T svp')).toBe('Arrêt');
    expect(m.match('optout')).toBe('OPT OUT');
    expect(m.match('Opt-out')).toBeNull();
  });

  it('matches full-width, non-breaking and ideographic spaces before and inside the keyword', () => {
    expect(productPage.match('ＳＴＯＰ')).toBe('stop');
    expect(productPage.match('\u00a0\u3000stop')).toBe('stop');
    expect(productPage.match('s t o p')).toBe('stop');
    expect(productPage.match('s\u00a0t\u2003o\u3000p')).toBe('stop');
    expect(productPage.match('\n\tSTOP\n')).toBe('stop');
  });

  it('does not match punctuation or zero-width characters before the keyword', () => {
    expect(productPage.match('.stop')).toBeNull();
    expect(productPage.match('"stop"')).toBeNull();
    expect(productPage.match('\u200bstop')).toBeNull();
  });

  it('handles empty, white-space-only and very long bodies', () => {
    expect(productPage.match('')).toBeNull();
    expect(productPage.match('   \u3000 ')).toBeNull();
    expect(productPage.match('stop' + 'x'.repeat(1596))).toBe('stop');
    expect(productPage.match('x' + 'stop'.repeat(400))).toBeNull();
    expect(productPage.match(' '.repeat(1596) + 'stop')).toBe('stop');
  });

  it('handles emoji, surrogate pairs and lone surrogates', () => {
    expect(productPage.match('stop 🛑')).toBe('stop');
    expect(productPage.match('🛑 stop')).toBeNull();
    expect(productPage.match('\ud800stop')).toBeNull();
    const emoji = compileKeywords(['🛑']);
    expect(emoji.match('🛑🛑 please')).toBe('🛑');
    expect(emoji.match('\ud83d')).toBeNull();
    expect(compileKeywords(['𝐒TOP']).match('stop')).toBe('𝐒TOP'); // mathematical bold S folds to s
  });

  it('lets the longest normalised keyword win, whatever the configured order', () => {
    for (const keywords of [['stop', 'stopall'], ['stopall', 'stop']]) {
      const m = compileKeywords(keywords);
      expect(m.match('STOP ALL')).toBe('stopall');
      expect(m.match('stopal')).toBe('stop');
      expect(m.match('stop')).toBe('stop');
    }
  });

  it('merges keywords equal after normalisation, keeping the first spelling', () => {
    const m = compileKeywords(['Arrêt', 'ARRET', 'arret']);
    expect(m.keywords).toEqual(['Arrêt']);
    expect(m.match('arret')).toBe('Arrêt');
  });

  it('matches Greek keywords exactly as normalize does, final sigma included', () => {
    const m = compileKeywords(['ΟΧΙΣ']);
    expect(m.match('ΟΧΙΣ')).toBe('ΟΧΙΣ');
    expect(m.match('όχις')).toBe('ΟΧΙΣ');
    expect(m.match('ΟΧΙΣΑ')).toBeNull(); // Σ before a letter lower-cases to σ, not ς
  });
});

describe('keyword rules', () => {
  const words = (n: number) => Array.from({ length: n }, (_, i) => `kw${i}`);

  it('accepts 100 keywords of up to 20 characters', () => {
    expect(compileKeywords(words(100)).keywords).toHaveLength(100);
    expect(compileKeywords(['a'.repeat(20)]).match('A'.repeat(25))).toBe('a'.repeat(20));
  });

  it('refuses more than 100 keywords, naming the rule', () => {
    const error = catchError(() => compileKeywords(words(101)));
    expect(error.rule).toBe('too_many_keywords');
    expect(error.message).toContain('101 given, at most 100');
  });

  it('refuses a keyword longer than 20 characters, counted in code points of its NFC form', () => {
    const error = catchError(() => compileKeywords(['stop', 'a'.repeat(21)]));
    expect(error.violations).toEqual([expect.objectContaining({ index: 1, rule: 'keyword_too_long' })]);
    expect(keywordLength('arre\u0302t')).toBe(5);
    expect(keywordLength('🛑'.repeat(20))).toBe(20);
    expect(compileKeywords(['é'.repeat(20)]).keywords).toHaveLength(1);
    expect(compileKeywords(['e\u0301'.repeat(20)]).keywords).toHaveLength(1);
  });

  it('refuses empty keywords and keywords that normalise to nothing (they would match everything)', () => {
    for (const bad of ['', '   ', '\u0301', '\u00a0']) {
      expect(catchError(() => compileKeywords([bad])).rule, JSON.stringify(bad)).toBe('keyword_empty');
    }
  });

  it('reports every violation at once', () => {
    const error = catchError(() => compileKeywords([...words(100), '', 'x'.repeat(30)]));
    expect(error.violations.map((v) => v.rule)).toEqual(['too_many_keywords', 'keyword_empty', 'keyword_too_long']);
  });
});

function catchError(f: () => unknown): KeywordRuleError {
  try {
    f();
  } catch (error) {
    if (error instanceof KeywordRuleError) return error;
    throw error;
  }
  throw new Error('expected a KeywordRuleError');
}
