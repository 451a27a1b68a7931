import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@optline/test/random';
import { uuidV5 } from '../src/uuid.ts';

// What eventId computed before (node:crypto): ids already published must come out the same.
function reference(namespace: Buffer, name: string): string {
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe('uuidV5', () => {
  it("gives RFC 9562's example: www.example.com in the DNS namespace", () => {
    const dns = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex');
    expect(uuidV5(dns, 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('agrees with node:crypto SHA-1 for names of every length across block boundaries, non-ASCII and long ones', () => {
    const random = seededRandom(5);
    const namespace = Buffer.from('3f1c2b7e9a4d4e0f8b6a5c2d1e0f9a8b', 'hex');
    const alphabet = ['a', 'Z', '0', '"', '|', 'é', '€', '😀', '\u0000'];
    const names = Array.from({ length: 300 }, (_, n) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    names.push('x'.repeat(5000)); // grows the scratch buffer
    for (const name of names) expect(uuidV5(namespace, name), `length ${name.length}`).toBe(reference(namespace, name));
  });
});
