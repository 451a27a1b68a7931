// The membership half of the blacklist client: one project's blacklisted phones in an
// open-addressing hash table of typed arrays, 13 bytes a slot, instead of a Map of decoded
// records (~350 bytes an entry). A canonical phone (`00` + at most 15 digits, the first not 0)
// is its digits read as an integer: below 10^15 < 2^53, so a float64 holds it exactly, and no
// two phones share a value (no leading zero). Exact keys, so no false positives to confirm.
// Linear probing with backward-shift deletion: no tombstones, so a table full of clears and
// re-blocks never degrades.

const EMPTY = 0; // no phone reads as 0: the first digit after 00 is a country code, never 0
const MAX_LOAD = 0.75;
const MIN_CAPACITY = 16;

/** The integer of a canonical phone's digits, or -1 when the string is not one. */
export function phoneNumberOf(phone: string): number {
  const n = phone.length;
  if (n < 3 || n > 17 || phone.charCodeAt(0) !== 48 || phone.charCodeAt(1) !== 48) return -1;
  let value = 0;
  for (let i = 2; i < n; i++) {
    const d = phone.charCodeAt(i) - 48;
    if (d < 0 || d > 9 || (i === 2 && d === 0)) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** The canonical phone string of `phoneNumberOf`'s integer. */
export function phoneStringOf(value: number): string {
  return `00${value}`;
}

function slotOf(value: number, mask: number): number {
  const lo = value >>> 0; // ToUint32 takes the value modulo 2^32: the low 32 bits
  const hi = (value / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & mask;
}

/** Phone -> (detail reference, status code), for one project. */
export class PhoneTable {
  private phones = new Float64Array(MIN_CAPACITY);
  private refs = new Uint32Array(MIN_CAPACITY);
  private codes = new Uint8Array(MIN_CAPACITY);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Typed-array bytes held (for the memory figures). */
  get bytes(): number {
    return this.phones.byteLength + this.refs.byteLength + this.codes.byteLength;
  }

  private find(value: number): number {
    const mask = this.phones.length - 1;
    let i = slotOf(value, mask);
    for (;;) {
      const at = this.phones[i]!;
      if (at === value) return i;
      if (at === EMPTY) return -1;
      i = (i + 1) & mask;
    }
  }

  has(value: number): boolean {
    return this.find(value) >= 0;
  }

  /** The detail reference of the phone, or -1. */
  ref(value: number): number {
    const i = this.find(value);
    return i < 0 ? -1 : this.refs[i]!;
  }

  /** The status code of the phone, or -1. */
  code(value: number): number {
    const i = this.find(value);
    return i < 0 ? -1 : this.codes[i]!;
  }

  set(value: number, ref: number, code: number): void {
    if ((this.count + 1) > this.phones.length * MAX_LOAD) this.grow();
    const mask = this.phones.length - 1;
    let i = slotOf(value, mask);
    for (;;) {
      const at = this.phones[i]!;
      if (at === value) break;
      if (at === EMPTY) {
        this.phones[i] = value;
        this.count++;
        break;
      }
      i = (i + 1) & mask;
    }
    this.refs[i] = ref;
    this.codes[i] = code;
  }

  /** Removes the phone; true when it was there. */
  delete(value: number): boolean {
    let i = this.find(value);
    if (i < 0) return false;
    const { phones, refs, codes } = this;
    const mask = phones.length - 1;
    // Backward shift: pull every later entry of the probe run that may move into the hole.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const at = phones[j]!;
      if (at === EMPTY) break;
      const home = slotOf(at, mask);
      // The entry at j may move to i when its home is not cyclically within (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        phones[i] = at;
        refs[i] = refs[j]!;
        codes[i] = codes[j]!;
        i = j;
      }
    }
    phones[i] = EMPTY;
    this.count--;
    return true;
  }

  /** Calls `fn` for every entry, in slot order; the table must not change meanwhile. */
  forEach(fn: (value: number, ref: number, code: number) => void): void {
    const { phones, refs, codes } = this;
    for (let i = 0; i < phones.length; i++) {
      const at = phones[i]!;
      if (at !== EMPTY) fn(at, refs[i]!, codes[i]!);
    }
  }

  /** Every phone (as its integer), sorted: a snapshot that later changes do not touch. */
  sortedPhones(): Float64Array {
    const out = new Float64Array(this.count);
    let n = 0;
    for (const at of this.phones) if (at !== EMPTY) out[n++] = at;
    return out.sort();
  }

  /** The detail references of every entry whose code passes `keep`, ascending: a snapshot. */
  sortedRefs(keep: (code: number) => boolean): Uint32Array {
    const { phones, refs, codes } = this;
    const out = new Uint32Array(this.count);
    let n = 0;
    for (let i = 0; i < phones.length; i++) if (phones[i] !== EMPTY && keep(codes[i]!)) out[n++] = refs[i]!;
    return out.subarray(0, n).sort();
  }

  private grow(): void {
    const { phones, refs, codes } = this;
    const capacity = phones.length * 2;
    this.phones = new Float64Array(capacity);
    this.refs = new Uint32Array(capacity);
    this.codes = new Uint8Array(capacity);
    this.count = 0;
    for (let i = 0; i < phones.length; i++) if (phones[i] !== EMPTY) this.set(phones[i]!, refs[i]!, codes[i]!);
  }
}
