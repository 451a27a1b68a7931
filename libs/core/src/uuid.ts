// Name-based UUIDs (RFC 9562 version 5: SHA-1 of namespace + name). SHA-1 is written out here
// instead of node:crypto's createHash because a materializer flush derives an id for every
// event, and a Hash object per id (a native handle for the GC to finalise) made event ids the
// largest single cost of the flush: 4.4-5.4 µs an id with createHash, 2.2-3.3 µs with this, for
// 100k ids kept in memory as a flush keeps them. SHA-1 serves as a name digest, not for security.

const W = new Int32Array(80);
let bytes = Buffer.allocUnsafe(1024);
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

const H = new Int32Array(5);

/** SHA-1 of bytes[0, length) into H; `bytes` must have room for the padding (up to 72 bytes more). */
function sha1(length: number): void {
  const total = ((length + 8) >> 6) * 64 + 64;
  bytes[length] = 0x80;
  bytes.fill(0, length + 1, total - 4);
  // Names are far below 512 MiB, so the bit length's high word is 0.
  bytes.writeUInt32BE((length * 8) >>> 0, total - 4);
  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  for (let block = 0; block < total; block += 64) {
    for (let i = 0, j = block; i < 16; i++, j += 4) W[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
    for (let i = 16; i < 80; i++) {
      const x = W[i - 3]! ^ W[i - 8]! ^ W[i - 14]! ^ W[i - 16]!;
      W[i] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let t: number;
    // The four kinds of round in loops of their own: no branch per round.
    for (let i = 0; i < 20; i++) {
      t = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + W[i]!) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
    }
    for (let i = 20; i < 40; i++) {
      t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + W[i]!) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
    }
    for (let i = 40; i < 60; i++) {
      t = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e - 0x70e44324 + W[i]!) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
    }
    for (let i = 60; i < 80; i++) {
      t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e - 0x359d3e2a + W[i]!) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  H[0] = h0;
  H[1] = h1;
  H[2] = h2;
  H[3] = h3;
  H[4] = h4;
}

const hex16 = (v: number) => HEX[(v >>> 8) & 0xff]! + HEX[v & 0xff]!;
const hex32 = (v: number) => hex16(v >>> 16) + hex16(v);

/** The version 5 UUID of `name` (UTF-8) in `namespace` (16 bytes), lower-case hex with dashes. */
export function uuidV5(namespace: Uint8Array, name: string): string {
  // A UTF-16 code unit takes at most 3 bytes in UTF-8.
  const needed = namespace.length + name.length * 3 + 72;
  if (bytes.length < needed) bytes = Buffer.allocUnsafe(Math.max(needed, bytes.length * 2));
  bytes.set(namespace, 0);
  const length = namespace.length + bytes.write(name, namespace.length, 'utf8');
  sha1(length);
  // Version 5 in the high nibble of byte 6, the RFC variant in the two high bits of byte 8.
  const b = (H[1]! & 0xffff0fff) | 0x00005000;
  const c = (H[2]! & 0x3fffffff) | 0x80000000;
  return `${hex32(H[0]!)}-${hex16(b >>> 16)}-${hex16(b)}-${hex16(c >>> 16)}-${hex16(c)}${hex32(H[3]!)}`;
}
