// The words of a body, for the possible-opt-out detector: each word in keyword normal form
// (`normalize`: NFKD, no combining marks, lower case), split where white space or punctuation
// stands, with apostrophes dropped inside a word so that "don't", "dont" and "don’t" are one
// word, and the few stroked letters NFKD keeps (ł, đ, ø, ß, æ, œ) folded to what people type
// without them. Keyword matching removes white space and keeps punctuation; phrases need word
// boundaries, so this is the same normalisation applied word by word.
//
// One pass, one code point at a time, like the keyword matcher: ASCII through a table, other
// code points through `pieceAt` (which agrees with `normalize`).

import { pieceAt } from '../normalize.ts';

// ASCII code unit -> 0 boundary, 1 lower-case letter or digit, 2 upper-case letter, 3 apostrophe.
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[a-z0-9]/.test(ch)) ASCII_CLASS[c] = 1;
  else if (/[A-Z]/.test(ch)) ASCII_CLASS[c] = 2;
  else if (ch === "'" || ch === '`') ASCII_CLASS[c] = 3;
}

const enum Kind { Boundary, Skip, Apostrophe, Word }

// Non-ASCII code point -> what it does to a word and, for letters and marks, its normalised
// (and folded) text; null text for the few whose lower case depends on context (capital sigma),
// which `pieceAt` works out in the body. Remembered, capped like normalize's cache.
interface Point {
  readonly kind: Kind;
  readonly text: string | null;
}
const CACHE_LIMIT = 1 << 16;
const points = new Map<number, Point>();
const WORD = /[\p{L}\p{N}]/u;
const MARK = /^\p{M}$/u;
const MARKS = /\p{M}/gu;
const APOSTROPHES = new Set([0x2019, 0x2018, 0x02bc, 0x00b4, 0x2032]);
// Letters NFKD leaves alone but people type without the stroke ("wysylac" for "wysyłać").
const FOLD = new Map([['ł', 'l'], ['đ', 'd'], ['ø', 'o'], ['ß', 'ss'], ['æ', 'ae'], ['œ', 'oe']]);

function fold(piece: string): string {
  return FOLD.get(piece) ?? piece;
}

function pointOf(cp: number): Point {
  let point = points.get(cp);
  if (point === undefined) {
    const ch = String.fromCodePoint(cp);
    let kind: Kind;
    if (APOSTROPHES.has(cp)) kind = Kind.Apostrophe;
    else if (MARK.test(ch)) kind = Kind.Skip;
    else if (WORD.test(ch.normalize('NFKD'))) kind = Kind.Word;
    else kind = Kind.Boundary;
    const sigma = ch.normalize('NFKD').replace(MARKS, '').includes('Σ');
    point = { kind, text: sigma ? null : fold(pieceAt(ch, 0)) };
    if (points.size >= CACHE_LIMIT) points.clear();
    points.set(cp, point);
  }
  return point;
}

// What an ASCII stretch of a word needs to reach normal form.
const PLAIN = 0;
const UPPER = 1;
const APOSTROPHE = 2;

/** An ASCII stretch of a word in normal form. */
function flat(ascii: string, flags: number): string {
  if (flags === PLAIN) return ascii;
  const lower = ascii.toLowerCase();
  return (flags & APOSTROPHE) === 0 ? lower : lower.replace(/['`]/g, '');
}

/** Words of a body the detector reads: a 1600-character SMS has ~250, a request to stop a few. */
export const WORD_LIMIT = 40;

/**
 * The normalised words of `body`, at most `limit` of them (a request to stop is written in its
 * first words; the limit bounds the cost of a 1600-character SMS).
 */
export function words(body: string, limit = WORD_LIMIT): string[] {
  const out: string[] = [];
  const length = body.length;
  // The current word: ASCII-only words are sliced from the body, others built up.
  let start = -1;
  let built: string | null = null;
  let flags = PLAIN;
  let i = 0;
  while (i < length) {
    const c = body.charCodeAt(i);
    if (c < 128) {
      const cls = ASCII_CLASS[c]!;
      if (cls === 0) {
        if (start >= 0) {
          const w = built ?? flat(body.slice(start, i), flags);
          if (w !== '' && out.push(w) >= limit) return out;
          start = -1;
          built = null;
        }
      } else if (built !== null) {
        if (cls !== 3) built += cls === 2 ? String.fromCharCode(c + 32) : body[i];
      } else if (start < 0) {
        if (cls !== 3) {
          start = i;
          flags = cls === 2 ? UPPER : PLAIN;
        }
      } else if (cls === 2) {
        flags |= UPPER;
      } else if (cls === 3) {
        flags |= APOSTROPHE;
      }
      i++;
      continue;
    }
    const cp = body.codePointAt(i)!;
    const point = pointOf(cp);
    const kind = point.kind;
    if (kind === Kind.Boundary) {
      if (start >= 0) {
        const w = built ?? flat(body.slice(start, i), flags);
        if (w !== '' && out.push(w) >= limit) return out;
        start = -1;
        built = null;
      }
    } else if (kind === Kind.Apostrophe) {
      // Dropped inside a word; outside one it is nothing.
      if (start >= 0 && built === null) built = flat(body.slice(start, i), flags);
    } else {
      const piece = point.text ?? fold(pieceAt(body, i));
      if (start >= 0) {
        if (built === null) built = flat(body.slice(start, i), flags);
        built += piece;
      } else if (kind === Kind.Word) {
        start = i;
        built = piece;
      }
    }
    i += cp > 0xffff ? 2 : 1;
  }
  if (start >= 0) {
    const w = built ?? flat(body.slice(start, length), flags);
    if (w !== '') out.push(w);
  }
  return out;
}
