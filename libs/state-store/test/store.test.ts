import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyChanges, FORMAT, FORMAT_FILE, partitionStorePath, PendingWrites, RocksDbStore, ValueCache, type ValueSerde } from '../src/index.ts';

let dir: string;
let store: RocksDbStore;
const b = (s: string) => Buffer.from(s);
const json: ValueSerde<{ n: number }> = { encode: (v) => Buffer.from(JSON.stringify(v)), decode: (x) => JSON.parse(x.toString()) };

async function all(range?: Parameters<RocksDbStore['range']>[0]): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for await (const [k, v] of store.range(range)) out.push([k, v.toString()]);
  return out;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'state-store-'));
  store = await RocksDbStore.open(join(dir, 'db'));
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('RocksDbStore', () => {
  it('gets what was put, undefined for a missing or deleted key', async () => {
    await store.put('a', b('1'));
    expect((await store.get('a'))?.toString()).toBe('1');
    expect(await store.get('missing')).toBeUndefined();
    await store.delete('a');
    expect(await store.get('a')).toBeUndefined();
    expect((await store.getMany(['a', 'x'])).every((v) => v === undefined)).toBe(true);
  });

  it('ranges in key order within bounds, never over the checkpoint', async () => {
    await store.batch(['p1:003', 'p1:001', 'p2:001', 'p1:002'].map((key) => ({ type: 'put' as const, key, value: b(key) })), { topic: 't', partition: 0, offset: '4' });
    expect((await all()).map(([k]) => k)).toEqual(['p1:001', 'p1:002', 'p1:003', 'p2:001']);
    expect((await all({ gte: 'p1:', lt: 'p1;' })).map(([k]) => k)).toEqual(['p1:001', 'p1:002', 'p1:003']);
    expect((await all({ gt: 'p1:001', lte: 'p1:003', reverse: true })).map(([k]) => k)).toEqual(['p1:003', 'p1:002']);
    expect(await all({ limit: 1 })).toEqual([['p1:001', 'p1:001']]);
  });

  it('applies a batch and its checkpoint together, and keeps both across reopen', async () => {
    await store.put('gone', b('x'));
    await store.batch([{ type: 'put', key: 'k', value: b('v') }, { type: 'delete', key: 'gone' }], { topic: 'log', partition: 2, offset: '17' });
    await store.close();
    store = await RocksDbStore.open(join(dir, 'db'));
    expect(await all()).toEqual([['k', 'v']]);
    expect(await store.checkpoint()).toEqual({ topic: 'log', partition: 2, offset: '17' });
  });

  it('clear removes the data and the checkpoint', async () => {
    await store.batch([{ type: 'put', key: 'k', value: b('v') }], { topic: 'log', partition: 0, offset: '1' });
    await store.clear();
    expect(await all()).toEqual([]);
    expect(await store.checkpoint()).toBeNull();
  });

  it('reports a size that grows with the data', async () => {
    const before = await store.approximateSize();
    await store.batch(Array.from({ length: 2000 }, (_, i) => ({ type: 'put' as const, key: `k${i}`, value: Buffer.alloc(100, i) })));
    expect(await store.approximateSize()).toBeGreaterThan(before + 100_000);
  });
});

describe('RocksDbStore on a folder of another format', () => {
  // Written by the `rocksdb` 5.2.1 package (see fixtures/rocksdb-5.2.1/README.md): this binding
  // opens it, then aborts the process on the first read of its Snappy blocks.
  const oldFolder = join(import.meta.dirname, 'fixtures/rocksdb-5.2.1');

  it("wipes a folder of optline's earlier binding instead of reading it, says why, and keeps what it writes next", async () => {
    const location = join(dir, 'old');
    await cp(oldFolder, location, { recursive: true });
    const old = await RocksDbStore.open(location);
    expect(old.wiped).toMatch(/no OPTLINE-STORE file: written by an earlier optline/);
    const entries: string[] = [];
    for await (const [k] of old.range()) entries.push(k);
    expect(entries).toEqual([]);
    expect(await old.checkpoint()).toBeNull();
    expect(await readdir(location)).not.toContain('000008.sst');
    await old.batch([{ type: 'put', key: 'k', value: b('v') }], { topic: 'log', partition: 0, offset: '1' });
    await old.close();

    const reopened = await RocksDbStore.open(location);
    expect(reopened.wiped).toBeUndefined();
    expect((await reopened.get('k'))?.toString()).toBe('v');
    expect(await reopened.checkpoint()).toEqual({ topic: 'log', partition: 0, offset: '1' });
    await reopened.close();
    expect((await readFile(join(location, FORMAT_FILE), 'utf8')).trim()).toBe(FORMAT);
  });

  it('wipes a folder marked with another format version', async () => {
    const location = join(dir, 'other');
    const other = await RocksDbStore.open(location);
    await other.put('k', b('v'));
    await other.close();
    await writeFile(join(location, FORMAT_FILE), 'optline state store 1\n');
    const reopened = await RocksDbStore.open(location);
    expect(reopened.wiped).toBe(`${FORMAT_FILE} says "optline state store 1", this version writes "${FORMAT}"`);
    expect(await reopened.get('k')).toBeUndefined();
    await reopened.close();
  });

  it('leaves a new, empty folder unwiped', async () => {
    const fresh = await RocksDbStore.open(join(dir, 'fresh'));
    expect(fresh.wiped).toBeUndefined();
    await fresh.close();
  });
});

describe('PendingWrites', () => {
  it('reads its own writes, leaves the store untouched until applied', async () => {
    await store.put('a', json.encode({ n: 1 }) as Buffer);
    const pending = new PendingWrites(store, json);
    await pending.prefetch(['a', 'b']);
    expect(await pending.get('a')).toEqual({ n: 1 });
    pending.set('a', { n: 2 });
    pending.set('b', { n: 3 });
    pending.set('b', { n: 4 });
    pending.delete('a');
    expect(await pending.get('a')).toBeUndefined();
    expect(await pending.get('b')).toEqual({ n: 4 });
    expect((await store.get('a'))?.toString()).toBe('{"n":1}');
    const changes = await pending.changes();
    expect(changes.map((c) => [c.key, c.value?.toString() ?? null])).toEqual([['a', null], ['b', '{"n":4}']]);
    await applyChanges(store, changes, { topic: 't', partition: 0, offset: '9' });
    expect(await all()).toEqual([['b', '{"n":4}']]);
    expect((await store.checkpoint())?.offset).toBe('9');
  });
});

describe('ValueCache', () => {
  it('serves committed values without reading the store, and learns writes only when remembered', async () => {
    await store.put('a', json.encode({ n: 1 }) as Buffer);
    const cache = new ValueCache<{ n: number }>();
    await new PendingWrites(store, json, cache).prefetch(['a', 'absent']);
    expect(cache.get('a')).toEqual({ n: 1 });
    expect(cache.get('absent')).toBeNull();

    await store.delete('a'); // the cache is now the only reader of 'a': it must not go back to the store
    const aborted = new PendingWrites(store, json, cache);
    expect(await aborted.get('a')).toEqual({ n: 1 });
    aborted.set('a', { n: 2 }); // never remembered: as if its transaction aborted
    expect(cache.get('a')).toEqual({ n: 1 });

    const committed = new PendingWrites(store, json, cache);
    committed.set('a', { n: 3 });
    committed.remember();
    expect(await new PendingWrites(store, json, cache).get('a')).toEqual({ n: 3 });
  });

  it('keeps the most recently used entries within its bound', () => {
    const cache = new ValueCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([1, undefined, 3, 2]);
  });
});

describe('partitionStorePath', () => {
  it('places a store under <stateDir>/<store>/<partition> and refuses unsafe names', () => {
    expect(partitionStorePath('/var/state', 'phones', 3)).toBe(join('/var/state', 'phones', '3'));
    expect(() => partitionStorePath('/s', '../x', 0)).toThrow(/store name/);
    expect(() => partitionStorePath('/s', 'x', -1)).toThrow(/partition/);
  });
});
