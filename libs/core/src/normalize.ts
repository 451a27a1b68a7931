// Keyword normalisation, as SPEC.md defines it, plus the code-point-at-a-time form the
// compiled matcher uses so that it never normalises more of a body than it reads.
//
// normalize(s) = NFKD, drop combining marks (\p{M}), lower-case, drop all white space.
// The whole-string definition below is the contract; `pieceAt` must agree with it on every
// prefix, which holds because:
//  - NFKD decomposes each code point on its own; the only cross-character step, canonical
//    reordering, moves only characters with a non-zero combining class, and every such
//    character is \p{M} (a test checks every code point), so it is dropped anyway;
//  - lower-casing is per character except Greek capital sigma (Final_Sigma: 'ΟΔΟΣ' -> 'οδος'
//    but 'ΟΔΟΣΑ' -> 'οδοσα'), whose context is resolved explicitly below;
//  - white space is removed character by character.
// A property test compares the two on random strings.

/**
 * Unicode white space: the union of ECMAScript `\s` (which adds U+FEFF, the byte order mark,
 * a frequent stray in copied text) and `\p{White_Space}` (which adds U+0085 NEXT LINE).
 */
export const WHITE_SPACE = /[\s\p{White_Space}]/gu;
const MARKS = /\p{M}/gu;

/** The normal form keywords and bodies are compared in. */
export function normalize(s: string): string {
  return s.normalize('NFKD').replace(MARKS, '').toLowerCase().replace(WHITE_SPACE, '');
}

const IS_CASED = /\p{Cased}/u;
const IS_CASE_IGNORABLE = /\p{Case_Ignorable}/u;
const CAPITAL_SIGMA = 'Σ';

/** NFKD of one code point with its combining marks dropped: the text lower-casing sees. */
function stripped(cp: number): string {
  return String.fromCodePoint(cp).normalize('NFKD').replace(MARKS, '');
}

interface Piece {
  /** Normalised text of the code point when no context is needed. */
  readonly text: string;
  /** Stripped (pre-lower-case) text, kept only when it holds a capital sigma. */
  readonly sigma: string | null;
}

// Non-ASCII code points are normalised once and remembered; the cap keeps a stream of
// adversarial text from growing the cache without bound.
const CACHE_LIMIT = 1 << 16;
const cache = new Map<number, Piece>();

function pieceOf(cp: number): Piece {
  let piece = cache.get(cp);
  if (piece === undefined) {
    const s = stripped(cp);
    piece = { text: s.toLowerCase().replace(WHITE_SPACE, ''), sigma: s.includes(CAPITAL_SIGMA) ? s : null };
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(cp, piece);
  }
  return piece;
}

/**
 * How ASCII characters normalise, by code unit: '' for white space, else the lower-case
 * character. Derived from `normalize` itself rather than written out, so the two cannot drift.
 */
export const ASCII_PIECES: readonly string[] = Array.from({ length: 128 }, (_, c) => normalize(String.fromCharCode(c)));

type Kind = 'cased' | 'ignorable' | 'other';

function kindOf(ch: string): Kind {
  // Case_Ignorable wins over Cased, as in Unicode's Final_Sigma definition.
  if (IS_CASE_IGNORABLE.test(ch)) return 'ignorable';
  return IS_CASED.test(ch) ? 'cased' : 'other';
}

/**
 * The kind of the nearest character that is not case-ignorable, looking forward or backward
 * from `own[ownIndex]`, where `own` is the stripped text (as code points) of the code point at
 * `body[start]`.
 */
function neighbour(body: string, start: number, own: readonly string[], ownIndex: number, dir: 1 | -1): Kind {
  // First the rest of the sigma's own piece, then whole code points of the body.
  for (let j = ownIndex + dir; j >= 0 && j < own.length; j += dir) {
    const kind = kindOf(own[j]!);
    if (kind !== 'ignorable') return kind;
  }
  let i = dir === 1 ? start + (body.codePointAt(start)! > 0xffff ? 2 : 1) : start;
  while (dir === 1 ? i < body.length : i > 0) {
    let cp: number;
    if (dir === 1) {
      cp = body.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
    } else {
      const low = body.charCodeAt(i - 1);
      const high = i >= 2 ? body.charCodeAt(i - 2) : 0;
      const pair = low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff;
      i -= pair ? 2 : 1;
      cp = body.codePointAt(i)!;
    }
    const s = Array.from(stripped(cp));
    for (let j = dir === 1 ? 0 : s.length - 1; j >= 0 && j < s.length; j += dir) {
      const kind = kindOf(s[j]!);
      if (kind !== 'ignorable') return kind;
    }
  }
  return 'other';
}

/** Lower-cases a stripped piece holding capital sigma, with Unicode's Final_Sigma rule. */
function lowerWithSigma(body: string, i: number, s: string): string {
  const points = Array.from(s);
  let out = '';
  points.forEach((ch, j) => {
    if (ch !== CAPITAL_SIGMA) {
      out += ch.toLowerCase();
      return;
    }
    const final = neighbour(body, i, points, j, -1) === 'cased' && neighbour(body, i, points, j, 1) !== 'cased';
    out += final ? 'ς' : 'σ';
  });
  return out.replace(WHITE_SPACE, '');
}

/**
 * The normalised text contributed by the code point starting at UTF-16 index `i` of `body`
 * (possibly '' or several characters). Callers advance by `body.codePointAt(i) > 0xffff ? 2 : 1`.
 * Concatenating the pieces of all code points gives exactly `normalize(body)`.
 */
export function pieceAt(body: string, i: number): string {
  const cp = body.codePointAt(i)!;
  if (cp < 128) return ASCII_PIECES[cp]!;
  const piece = pieceOf(cp);
  return piece.sigma === null ? piece.text : lowerWithSigma(body, i, piece.sigma);
}
