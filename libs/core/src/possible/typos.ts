// Typos of an opt-out keyword: one slip of the fingers away from it. The first letter is
// kept (except when the first two are swapped): people seldom miss the first key, and most
// real words near a keyword differ there ("top", "Garret", "atop").

export type Slip = 'extra letter' | 'missing letter' | 'swapped letters' | 'adjacent key';

// Rows of a QWERTY keyboard with the number row; QWERTZ swaps y and z, added below.
const ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

function adjacency(): Map<string, Set<string>> {
  const near = new Map<string, Set<string>>();
  const add = (a: string | undefined, b: string | undefined) => {
    if (a === undefined || b === undefined) return;
    if (!near.has(a)) near.set(a, new Set());
    if (!near.has(b)) near.set(b, new Set());
    near.get(a)!.add(b);
    near.get(b)!.add(a);
  };
  ROWS.forEach((row, r) => {
    for (let i = 0; i < row.length; i++) {
      add(row[i], row[i + 1]);
      // Rows are staggered half a key: key i touches keys i-1 and i of the row below.
      const below = ROWS[r + 1];
      if (below !== undefined) {
        add(row[i], below[i]);
        add(row[i], below[i - 1]);
      }
    }
  });
  // QWERTZ: z where y is.
  for (const c of near.get('y') ?? []) add('z', c);
  for (const c of near.get('z') ?? []) add('y', c);
  return near;
}

const NEAR = adjacency();

/** Whether keys `a` and `b` touch on a QWERTY or QWERTZ keyboard. */
export function adjacentKeys(a: string, b: string): boolean {
  return NEAR.get(a)?.has(b) === true;
}

/**
 * The one slip that turns `keyword` into `word`, or null. Both in normal form; `word` is not
 * `keyword` itself.
 */
export function slipOf(word: string, keyword: string): Slip | null {
  const w = word.length;
  const k = keyword.length;
  if (w === k) {
    let i = 0;
    while (i < w && word.charCodeAt(i) === keyword.charCodeAt(i)) i++;
    if (i === w) return null;
    // Swapped: ab -> ba at i, the rest equal.
    if (i + 1 < w && word[i] === keyword[i + 1] && word[i + 1] === keyword[i] && word.slice(i + 2) === keyword.slice(i + 2)) {
      return 'swapped letters';
    }
    if (i > 0 && adjacentKeys(word[i]!, keyword[i]!) && word.slice(i + 1) === keyword.slice(i + 1)) return 'adjacent key';
    return null;
  }
  if (w === k + 1) {
    // One letter too many, not the first.
    let i = 0;
    while (i < k && word.charCodeAt(i) === keyword.charCodeAt(i)) i++;
    if (i === 0) return null;
    return word.slice(i + 1) === keyword.slice(i) ? 'extra letter' : null;
  }
  if (w === k - 1) {
    let i = 0;
    while (i < w && word.charCodeAt(i) === keyword.charCodeAt(i)) i++;
    if (i === 0) return null;
    return word.slice(i) === keyword.slice(i + 1) ? 'missing letter' : null;
  }
  return null;
}
