// Mutations of a valid Sinch MO callback for the ingress fuzz test: byte-level damage, strings
// full of awkward Unicode, JSON that JSON.parse would alter (duplicate keys, lone surrogates,
// reserved keys), edge date-times and wrong types. Seeded, so a failure reproduces from its seed.

type Rnd = () => number;

const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rnd, n: number) => Math.floor(r() * n);

const FIELDS = ['type', 'id', 'from', 'to', 'body', 'received_at', 'sent_at', 'operator_id', 'client_reference', 'udh'] as const;

/** Text a careless pipeline alters: astral characters, combining marks, controls, BOM, RTL marks, U+FFFD itself. */
const AWKWARD = ['😀', 'e\u0301', '\u0000', '\u001f', '\ufeff', '\u202e', '\ufffd', 'ß', 'İ', '\u2028', '"', '\\', '/', '𝔖𝔗𝔒𝔓', 'ﬀ', '\u00a0', 'STOP', 'šťóp', '\t\n'];
const DATES = [
  '2026-06-30T23:59:60Z', '2016-12-31T23:59:60.999Z', '2026-12-01T06:00:00+01', '2026-12-01T06:00:00-05', '2026-12-01T06:00:00+01:00',
  '2026-12-01t06:00:00z', '2026-02-29T00:00:00Z', '2028-02-29T00:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999999Z',
  '2026-12-01T24:00:00Z', '2026-12-01T06:00:00.Z', '2026-12-01T06:00:00+23:59', '2026-12-01T06:00:00', '2026-12-01 06:00:00Z', '',
];
const PHONES = ['421905123456', '+421 905 123 456', '00421905123456', '(421) 905-123-456', '12345', '1', '+', '٤٢١٩٠٥١٢٣٤٥٦', '421905123456\u0000', 'x'.repeat(33)];
const VALUES: unknown[] = [null, true, 0, -1.5, 1e309, [], {}, [1, 'a'], { nested: { deep: 'x' } }, '', 'x'.repeat(129)];

function awkwardString(r: Rnd, max: number): string {
  let s = '';
  const n = 1 + int(r, max);
  for (let i = 0; i < n; i++) s += r() < 0.5 ? pick(r, AWKWARD) : String.fromCodePoint(int(r, 0x110000)).replace(/[\ud800-\udfff]/g, 'a');
  return s;
}

function mutateObject(r: Rnd, cb: Record<string, unknown>): string {
  const field = pick(r, FIELDS);
  switch (int(r, 9)) {
    case 0: delete cb[field]; break;
    case 1: cb[field] = pick(r, VALUES); break;
    case 2: cb[pick(r, ['from', 'to'])] = pick(r, PHONES); break;
    case 3: cb[pick(r, ['received_at', 'sent_at'])] = pick(r, DATES); break;
    case 4: cb.id = `${String(cb.id)}${awkwardString(r, 6)}`.slice(0, 128 + int(r, 3)); break;
    case 5: cb.body = awkwardString(r, 40); break;
    case 6: cb.type = pick(r, ['mo_binary', 'mo_media', 'MO_TEXT', 'mt_text']); if (cb.type === 'mo_binary' && r() < 0.5) cb.body = Buffer.from(String(cb.body)).toString('base64'); break;
    case 7: cb[`extra_${int(r, 5)}`] = awkwardString(r, 5); break;
    default: cb.udh = pick(r, ['050003CC0201', '0', 'zz', null]);
  }
  return JSON.stringify(cb);
}

/** JSON text that JSON.parse accepts but alters or that is a trap: a duplicate key, an escape. */
function mutateText(r: Rnd, text: string): string {
  const field = pick(r, ['id', 'body', 'from', 'type']);
  switch (int(r, 5)) {
    case 0: return text.replace('{', `{"${field}":${JSON.stringify(pick(r, ['STOP', 'x', '421905999999']))},`); // duplicate key, first wins nothing
    case 1: return text.replace(/"id":"/, `"id":"${pick(r, ['\\ud800', '\\udfff', '\\ud83d\\ude00', '\\u0000', '\\u00e9', '\\/'])}`);
    case 2: return text.replace('{', `{"${pick(r, ['__proto__', 'constructor', 'prototype'])}":{"body":"STOP"},`);
    case 3: return text.replace(/"body":"/, `"b\\u006fdy":"`); // an escaped key: the same key
    default: return ` \n${text}\t `;
  }
}

/** Byte-level damage: a flipped byte, bytes that are not UTF-8, a truncation, an insertion. */
function mutateBytes(r: Rnd, raw: Buffer): Buffer {
  const at = int(r, raw.length);
  switch (int(r, 4)) {
    case 0: { const b = Buffer.from(raw); b[at] = int(r, 256); return b; }
    case 1: return Buffer.concat([raw.subarray(0, at), Buffer.from(pick(r, [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0x80]])), raw.subarray(at)]);
    case 2: return raw.subarray(0, at);
    default: return Buffer.concat([raw.subarray(0, at), Buffer.from(awkwardString(r, 3)), raw.subarray(at)]);
  }
}

/** A valid callback with one to three mutations applied; `id` is unique per call. */
export function mutatedCallback(r: Rnd, id: string): Buffer {
  const cb: Record<string, unknown> = {
    type: 'mo_text', id, from: '421905123456', to: '12345', body: pick(r, ['STOP', 'hello', 'Arrêt', 'stop 😀']),
    received_at: '2026-06-15T09:34:28.542Z', ...(r() < 0.5 ? { sent_at: '2026-06-15T09:34:27Z', operator_id: '23103' } : {}),
  };
  let raw: Buffer = Buffer.from(mutateObject(r, cb));
  const rounds = int(r, 3);
  for (let i = 0; i < rounds; i++) raw = r() < 0.5 ? Buffer.from(mutateText(r, raw.toString('utf8'))) : mutateBytes(r, raw);
  return raw;
}
