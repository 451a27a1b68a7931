// The compiled matcher normalises bodies one code point at a time and stops early; these tests
// check it against the literal definition (normalise everything, then startsWith).
import { describe, expect, it } from 'vitest';
import { compileKeywords, naiveMatch, normalize, pieceAt } from '@optline/core';
import { seededRandom as random } from '@optline/test/random';


function piecewise(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i += s.codePointAt(i)! > 0xffff ? 2 : 1) out += pieceAt(s, i);
  return out;
}

// Characters that stress each step: letters and capitals, combining marks (alone and after
// letters), compatibility forms, ligatures, Unicode spaces, Greek sigma and its context
// (case-ignorable apostrophe, period, modifier letters), emoji, lone surrogates, İ, Hangul.
const ALPHABET = [
  's', 't', 'o', 'p', 'S', 'T', 'O', 'P', 'a', 'r', 'e', 'A', 'R', 'E', 'x', ' ', '.', "'", '-', '1',
  '\u0301', '\u0302', '\u030c', '\u0345', '\u20dd', 'š', 'ť', 'ó', 'ê', 'ē', 'Ê', 'ǅ', 'ﬃ', 'ﬅ',
  'Ｓ', 'ｔ', 'Ｏ', 'ｐ', '\u00a0', '\u2003', '\u3000', '\u0085', '\ufeff', '\u200b', '\u2028', '\t', '\n',
  'Σ', 'σ', 'ς', 'Α', 'ά', 'Ο', 'ʰ', 'ˆ', '¨', '´', 'İ', 'ı', 'ß', 'ẞ', 'Ω', 'Å', 'ㄱ', '한', '㈜', '½',
  '🛑', '👍🏽', '👨‍👩‍👧', '𝐒', '𐐀', '\ud800', '\udc00', '\u{1F1F8}\u{1F1F0}',
];

function randomText(next: () => number, maxLength: number): string {
  const n = Math.floor(next() * (maxLength + 1));
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return s;
}

// Both first tests walk all 1.1 M code points: ~3 s alone, over vitest's 5 s when the machine is shared.
describe('incremental normalisation', { timeout: 30_000 }, () => {
  it('gives normalize(s) for every single code point', () => {
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      const s = String.fromCodePoint(cp);
      const piece = pieceAt(s, 0);
      if (piece !== normalize(s)) expect(piece, `U+${cp.toString(16)}`).toBe(normalize(s));
    }
  });

  it('rests on this: only combining marks are canonically reordered by NFKD', () => {
    // U+0345 has the highest combining class (240): a character after it moves before it
    // exactly when its own class is non-zero and lower. Every such character must be \p{M}.
    const reordered: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      for (const ch of String.fromCodePoint(cp).normalize('NFKD')) {
        if (/\p{M}/u.test(ch)) continue;
        if (`a\u0345${ch}`.normalize('NFD') !== `a\u0345${ch.normalize('NFD')}`) reordered.push(ch);
      }
    }
    expect(reordered).toEqual([]);
  });

  it('concatenates to normalize(s) on random strings, for every prefix', () => {
    const next = random(42);
    for (let t = 0; t < 20_000; t++) {
      const s = randomText(next, 12);
      expect(piecewise(s), JSON.stringify(s)).toBe(normalize(s));
      // Normalising a prefix and the rest separately agrees with the whole at any code point
      // boundary: the property that lets the matcher stop early. (Greek capital sigma is the
      // exception, resolved by pieceAt looking at its neighbours; tested below.)
      const points = [...s];
      const cut = points.slice(0, Math.floor(next() * (points.length + 1))).join('').length;
      if (!s.includes('Σ')) expect(normalize(s.slice(0, cut)) + normalize(s.slice(cut)), JSON.stringify(s)).toBe(normalize(s));
    }
  });

  it('agrees with normalize on Greek sigma in every context', () => {
    const context = ['', 'Α', 'α', ' ', "'", '.', 'ʰ', '\u0301', '1', 'Σ', 'ΑΣ', "Α'", 'ᾼ'];
    for (const before of context) for (const middle of context) for (const after of context) {
      const s = `${before}${middle}Σ${after}${middle}`;
      expect(piecewise(s), JSON.stringify(s)).toBe(normalize(s));
    }
  });
});

describe('compiled matcher against the naive definition', () => {
  it('agrees on many random bodies and keyword sets', () => {
    const next = random(7);
    for (let set = 0; set < 200; set++) {
      const keywords: string[] = [];
      const count = 1 + Math.floor(next() * 8);
      while (keywords.length < count) {
        const k = randomText(next, 5);
        if (normalize(k) !== '' && [...k.normalize('NFC')].length <= 20) keywords.push(k);
      }
      const matcher = compileKeywords(keywords);
      for (let t = 0; t < 300; t++) {
        // Bodies often start with a keyword, so that matches and near-misses are common.
        const prefix = next() < 0.6 ? keywords[Math.floor(next() * keywords.length)]! : '';
        const body = randomText(next, 2) + prefix + randomText(next, 6);
        expect(matcher.match(body), `${JSON.stringify(keywords)} ${JSON.stringify(body)}`).toBe(naiveMatch(keywords, body));
      }
    }
  });

  it('agrees on 1600-character bodies', () => {
    const next = random(99);
    const keywords = ['stop', 'stopall', 'arrêt', 'ΟΧΙΣ', 'opt out', '🛑'];
    const matcher = compileKeywords(keywords);
    for (let t = 0; t < 500; t++) {
      const body = (next() < 0.5 ? keywords[t % keywords.length]! : '') + randomText(next, 1600);
      expect(matcher.match(body)).toBe(naiveMatch(keywords, body));
    }
  });
});
