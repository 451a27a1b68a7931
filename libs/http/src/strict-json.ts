import { isUtf8 } from 'node:buffer';
import type { FieldError } from './errors.ts';

// JSON.parse is lenient where a callback must not be: it turns bytes that are not UTF-8 into
// U+FFFD (two ids that differ only there become one id), lets the last of two equal keys win
// (`{"body":"hello","body":"STOP"}` reads as STOP), keeps `\ud800` as a lone surrogate that
// UTF-8 cannot carry (Avro writes it as U+FFFD), and accepts `__proto__` as a key. What follows
// refuses all of these, naming the field, so that what is accepted is exactly what was sent.

/** Keys that mean something to JavaScript objects: refused rather than relying on them having no effect. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export type StrictJsonResult = { ok: true; value: unknown } | { ok: false; problem: FieldError };

interface Frame {
  /** null for an array. */
  keys: Set<string> | null;
  /** The current key (object) or index (array). */
  at: string | number;
  expectsKey: boolean;
}

/** The dotted path of the value being read, as in field errors (`media.0.url`); 'body' at the top. */
function pathOf(stack: Frame[], extra?: string): string {
  const parts = stack.map((f) => String(f.at));
  if (extra !== undefined) parts.push(extra);
  return parts.length ? parts.join('.') : 'body';
}

/** Index of the closing quote of the string token opening at `open`, skipping escaped characters. */
function stringEnd(text: string, open: number): number {
  let i = open + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    let slashes = 0;
    for (let j = quote - 1; text.charCodeAt(j) === 92; j--) slashes++;
    if (slashes % 2 === 0) return quote;
    i = quote + 1;
  }
}

/**
 * Walks the tokens of `text` (which JSON.parse has accepted, or its bytes as latin1 when they are
 * not UTF-8): the first duplicate or reserved key or lone surrogate, or, with `offset`, the path
 * of the string holding that character.
 */
function scan(text: string, offset = -1): FieldError | string | null {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      const raw = text.slice(i + 1, end);
      const escaped = raw.includes('\\');
      const value = escaped && offset < 0 ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
      if (top?.keys && top.expectsKey) {
        if (offset >= i && offset <= end) return pathOf(stack.slice(0, -1), value);
        top.expectsKey = false;
        top.at = value;
        const field = pathOf(stack);
        if (offset < 0 && top.keys.has(value)) return { field, rule: 'duplicate_key', message: `${field} appears more than once; each key may appear once` };
        if (offset < 0 && RESERVED_KEYS.has(value)) return { field, rule: 'reserved_key', message: `${field}: the key '${value}' is not allowed` };
        top.keys.add(value);
      } else {
        if (offset >= i && offset <= end) return pathOf(stack);
        if (escaped && offset < 0 && LONE_SURROGATE.test(value)) {
          const field = pathOf(stack);
          return { field, rule: 'unpaired_surrogate', message: `${field} contains an unpaired UTF-16 surrogate escape (e.g. \\ud800), which is not a character` };
        }
      }
      i = end;
    } else if (c === 123 /* { */) {
      stack.push({ keys: new Set(), at: '', expectsKey: true });
    } else if (c === 91 /* [ */) {
      stack.push({ keys: null, at: 0, expectsKey: false });
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
    } else if (c === 44 /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectsKey = true;
      else if (top) top.at = (top.at as number) + 1;
    }
  }
  return offset >= 0 ? pathOf([]) : null;
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 0) return i;
    if (n > 1) {
      // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
      const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
      const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
      const second = bytes[i + 1];
      if (second === undefined || second < lo || second > hi) return i;
      for (let k = 2; k < n; k++) {
        const next = bytes[i + k];
        if (next === undefined || next < 0x80 || next > 0xbf) return i;
      }
    }
    i += n;
  }
  return -1;
}

/**
 * Strict JSON: UTF-8 only, each key once per object, no `__proto__`/`constructor`/`prototype`
 * keys, no lone surrogate escapes. A refusal names the field (dotted path, 'body' for the whole
 * document) and the rule: `utf8`, `json`, `duplicate_key`, `reserved_key`, `unpaired_surrogate`.
 */
export function parseStrictJson(raw: Buffer): StrictJsonResult {
  if (!isUtf8(raw)) {
    const at = firstInvalidUtf8(raw);
    const field = scan(raw.toString('latin1'), at) as string;
    return { ok: false, problem: { field, rule: 'utf8', message: `${field} is not valid UTF-8 (byte ${at} of the body, 0x${raw[at]!.toString(16).padStart(2, '0')})` } };
  }
  const text = raw.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: { field: 'body', rule: 'json', message: `the body is not valid JSON: ${(error as Error).message}` } };
  }
  // Only objects and arrays can hold keys, and only escapes can make a lone surrogate.
  if (typeof value !== 'object' || value === null) return { ok: true, value };
  const problem = scan(text) as FieldError | null;
  return problem ? { ok: false, problem } : { ok: true, value };
}
