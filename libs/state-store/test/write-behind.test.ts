import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PendingWrites, RocksDbStore, ValueCache, WriteBehind, type ValueSerde } from '../src/index.ts';
import { storePerTest } from './temp-store.ts';

const t = storePerTest('write-behind-');
const json: ValueSerde<{ n: number }> = { encode: (v) => Buffer.from(JSON.stringify(v)), decode: (x) => JSON.parse(x.toString()) };
const cp = (offset: string) => ({ topic: 'changelog', partition: 0, offset });

/** One committed transaction setting `values`, as the matcher runs it. */
async function commit(held: WriteBehind, cache: ValueCache<{ n: number }> | undefined, values: Record<string, number | null>, offset: string) {
  const pending = new PendingWrites(t.store, json, cache, held);
  await pending.prefetch(Object.keys(values));
  for (const [key, n] of Object.entries(values)) if (n === null) pending.delete(key); else pending.set(key, { n });
  held.add(await pending.changes(), cp(offset));
  pending.remember();
}

describe('WriteBehind', () => {
  it('holds committed writes out of the store, serves them to reads, and writes each key once per flush', async () => {
    await t.store.put('gone', json.encode({ n: 0 }) as Buffer);
    const held = new WriteBehind({ maxTransactions: 3 });
    await commit(held, undefined, { a: 1, gone: null }, '2');
    await commit(held, undefined, { a: 2, b: 1 }, '4');
    expect(held.due()).toBe(false);
    // Nothing reached the store yet: it is still at its old content and no checkpoint.
    expect(await t.store.get('a')).toBeUndefined();
    expect(await t.store.get('gone')).toBeDefined();
    expect(await t.store.checkpoint()).toBeNull();
    // Without a cache, a read comes from the held bytes, not from the store.
    const reader = new PendingWrites(t.store, json, undefined, held);
    expect([await reader.get('a'), await reader.get('b'), await reader.get('gone')]).toEqual([{ n: 2 }, { n: 1 }, undefined]);

    await commit(held, undefined, { a: 3 }, '5');
    expect(held.due()).toBe(true);
    expect(held.size).toBe(3);
    await held.flush(t.store);
    expect(held.size).toBe(0);
    expect(JSON.parse((await t.store.get('a'))!.toString())).toEqual({ n: 3 });
    expect(JSON.parse((await t.store.get('b'))!.toString())).toEqual({ n: 1 });
    expect(await t.store.get('gone')).toBeUndefined();
    expect(await t.store.checkpoint()).toEqual(cp('5'));
  });

  it('serves a held write after the value cache evicted it (the store is older)', async () => {
    await t.store.put('a', json.encode({ n: 1 }) as Buffer);
    const cache = new ValueCache<{ n: number }>(1);
    const held = new WriteBehind();
    await commit(held, cache, { a: 2 }, '1');
    await commit(held, cache, { b: 7 }, '2'); // evicts 'a' from the cache of one
    expect(cache.get('a')).toBeUndefined();
    expect(await new PendingWrites(t.store, json, cache, held).get('a')).toEqual({ n: 2 });
  });

  it('is due by keys held and by age too', () => {
    const byKeys = new WriteBehind({ maxKeys: 2, maxTransactions: 100 });
    byKeys.add([{ key: 'a', value: null }], cp('1'));
    expect(byKeys.due()).toBe(false);
    byKeys.add([{ key: 'b', value: null }], cp('2'));
    expect(byKeys.due()).toBe(true);
    const byAge = new WriteBehind({ maxAgeMs: 1000, maxTransactions: 100 });
    byAge.add([{ key: 'a', value: null }], cp('1'), 10_000);
    expect(byAge.due(10_999)).toBe(false);
    expect(byAge.due(11_000)).toBe(true);
    expect(new WriteBehind().due()).toBe(false);
  });

  it('leaves nothing held when its batch fails, and keeps it for the next flush', async () => {
    const held = new WriteBehind();
    held.add([{ key: 'a', value: Buffer.from('{"n":1}') }], cp('1'));
    await t.store.close();
    await expect(held.flush(t.store)).rejects.toThrow();
    expect(held.size).toBe(1);
    t.store = await RocksDbStore.open(join(t.dir, 'db'));
    await held.flush(t.store);
    expect((await t.store.get('a'))?.toString()).toBe('{"n":1}');
  });
});
