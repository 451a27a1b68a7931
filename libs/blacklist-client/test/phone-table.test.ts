import { describe, expect, it } from 'vitest';
import { PhoneTable, phoneNumberOf, phoneStringOf } from '../src/phone-table.ts';
import { DetailFile } from '../src/detail-file.ts';

describe('phoneNumberOf', () => {
  it('reads a canonical phone as the integer of its digits, and back', () => {
    expect(phoneNumberOf('00421905123456')).toBe(421905123456);
    expect(phoneStringOf(421905123456)).toBe('00421905123456');
    // 15 digits, the most E.164 allows: still exact in a float64.
    expect(phoneStringOf(phoneNumberOf('00999999999999999'))).toBe('00999999999999999');
  });

  it('refuses what is not a canonical phone (so it never aliases one)', () => {
    for (const s of ['421905123456', '+421905123456', '000421905', '00', '0042190512345a', '009999999999999999', '00 421']) {
      expect(phoneNumberOf(s), s).toBe(-1);
    }
  });
});

describe('PhoneTable', () => {
  it('agrees with a Map through 200k random sets and deletes (grows, backward-shift deletes)', () => {
    const table = new PhoneTable();
    const map = new Map<number, [number, number]>();
    let seed = 1;
    const next = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0);
    // A small key space, so sets overwrite and deletes hit: long probe runs get shifted often.
    // Plain comparisons, one expect at the end: 200k expect() calls take seconds on a busy machine.
    const wrong: string[] = [];
    for (let step = 0; step < 200_000; step++) {
      const phone = 421_900_000_000 + (next() % 20_000);
      if (next() % 3 === 0) {
        if (table.delete(phone) !== map.delete(phone)) wrong.push(`delete ${phone} at ${step}`);
      } else {
        const ref = next();
        const code = next() & 7;
        table.set(phone, ref, code);
        map.set(phone, [ref, code]);
      }
      if (table.size !== map.size) wrong.push(`size at ${step}`);
    }
    for (let p = 421_900_000_000; p < 421_900_020_000; p++) {
      const want = map.get(p);
      if (table.has(p) !== (want !== undefined) || table.ref(p) !== (want?.[0] ?? -1) || table.code(p) !== (want?.[1] ?? -1)) wrong.push(`look-up ${p}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(table.size).toBe(map.size);
    const seen: number[] = [];
    table.forEach((phone) => seen.push(phone));
    expect(seen.sort()).toEqual([...map.keys()].sort());
    expect([...table.sortedPhones()]).toEqual([...map.keys()].sort((a, b) => a - b));
  });

  it('holds an entry in 13 bytes a slot, at most 35 bytes an entry', () => {
    const table = new PhoneTable();
    for (let i = 1; i <= 100_000; i++) table.set(421_900_000_000 + i * 7, i, 0);
    expect(table.bytes / table.size).toBeLessThan(35);
  });
});

describe('DetailFile', () => {
  it('reads back every record appended, across buffer flushes, long records included', () => {
    const file = new DetailFile();
    const refs: number[] = [];
    const records: Buffer[] = [];
    for (let i = 0; i < 30_000; i++) {
      const record = Buffer.from(`record ${i} `.repeat(i % 997 === 0 ? 900 : 1 + (i % 9)));
      records.push(record);
      refs.push(file.append(record));
    }
    const wrong: number[] = [];
    for (let i = 0; i < records.length; i += 7) if (!file.read(refs[i]!).equals(records[i]!)) wrong.push(i);
    expect(wrong).toEqual([]);
    file.close();
  });
});

describe('DetailFile.readMany', () => {
  it('reads ascending references in chunks, the unflushed tail and long records included', () => {
    const file = new DetailFile();
    const refs: number[] = [];
    const records: Buffer[] = [];
    for (let i = 0; i < 40_000; i++) {
      const record = Buffer.from(`r${i};`.repeat(i % 5003 === 0 ? 300_000 : 1 + (i % 13)));
      records.push(record);
      refs.push(file.append(record));
    }
    const picked = refs.map((ref, i) => [ref, i] as const).filter(([, i]) => i % 3 !== 1);
    let k = 0;
    const wrong: number[] = [];
    for (const bytes of file.readMany(picked.map(([ref]) => ref))) {
      if (!bytes.equals(records[picked[k]![1]]!)) wrong.push(picked[k]![1]);
      k++;
    }
    expect(wrong).toEqual([]);
    expect(k).toBe(picked.length);
    file.close();
  });
});
