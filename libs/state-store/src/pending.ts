import type { Checkpoint, KeyValueStore, StoreOp } from './store.ts';
import type { WriteBehind } from './write-behind.ts';

export interface ValueSerde<V> {
  encode(value: V): Buffer | Promise<Buffer>;
  decode(bytes: Buffer): V | Promise<V>;
}

/** One changed key of a unit of work, encoded: what goes to the changelog and later the store. */
export interface Change {
  key: string;
  /** Null deletes the key (a tombstone on the changelog). */
  value: Buffer | null;
}

/**
 * Decoded values of a store that a task owns alone, most recently used kept (a bounded Map in
 * insertion order). Holds only committed values: `PendingWrites.remember()` adds them after the
 * commit, and a task that fails drops its cache with the rest of its state.
 */
export class ValueCache<V> {
  private readonly entries = new Map<string, V | null>();

  constructor(private readonly max = 50_000) {}

  /** The value (null: known to be absent), or undefined when not cached. */
  get(key: string): V | null | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V | null): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * The writes of one unit of work (a transaction), kept in memory over a store: reads see them,
 * the store does not until `applyChanges` after the transaction committed. So a crash or an
 * aborted transaction leaves the store at the last committed state.
 */
export class PendingWrites<V> {
  private readonly values = new Map<string, V | null>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly store: KeyValueStore,
    private readonly serde: ValueSerde<V>,
    private readonly cache?: ValueCache<V>,
    /** Committed writes not yet in the store: newer than the store's values. */
    private readonly held?: WriteBehind,
  ) {}

  /** Loads the keys not yet known: from the cache, the held writes, the rest in one RocksDB multi-get. */
  async prefetch(keys: Iterable<string>): Promise<void> {
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      if (this.values.has(key)) continue;
      const cached = this.cache?.get(key);
      if (cached !== undefined) {
        this.values.set(key, cached);
        continue;
      }
      const bytes = this.held?.get(key);
      if (bytes === undefined) {
        missing.push(key);
        continue;
      }
      const value = bytes === null ? null : await this.serde.decode(bytes);
      this.values.set(key, value);
      this.cache?.set(key, value);
    }
    if (missing.length === 0) return;
    const found = await this.store.getMany(missing);
    for (const [i, key] of missing.entries()) {
      const bytes = found[i];
      const value = bytes === undefined ? null : await this.serde.decode(bytes);
      this.values.set(key, value);
      this.cache?.set(key, value);
    }
  }

  async get(key: string): Promise<V | undefined> {
    if (!this.values.has(key)) await this.prefetch([key]);
    return this.values.get(key) ?? undefined;
  }

  /** The value of a key already loaded (null: absent), without a promise; undefined when not loaded. */
  peek(key: string): V | null | undefined {
    return this.values.get(key);
  }

  set(key: string, value: V): void {
    this.values.set(key, value);
    this.dirty.add(key);
  }

  delete(key: string): void {
    this.values.set(key, null);
    this.dirty.add(key);
  }

  get size(): number {
    return this.dirty.size;
  }

  /** After the commit: the changed values become the cache's (values are never mutated in place). */
  remember(): void {
    if (!this.cache) return;
    for (const key of this.dirty) this.cache.set(key, this.values.get(key) ?? null);
  }

  /** The last value of each changed key, encoded, in the order keys were first changed. */
  async changes(): Promise<Change[]> {
    const changes: Change[] = [];
    for (const key of this.dirty) {
      const value = this.values.get(key) ?? null;
      let bytes = value === null ? null : this.serde.encode(value);
      if (bytes instanceof Promise) bytes = await bytes;
      changes.push({ key, value: bytes });
    }
    return changes;
  }
}

/** Writes committed changes to the store, with the changelog position they reach, atomically. */
export function applyChanges(store: KeyValueStore, changes: readonly Change[], checkpoint?: Checkpoint): Promise<void> {
  const ops: StoreOp[] = changes.map((c) => (c.value === null ? { type: 'delete', key: c.key } : { type: 'put', key: c.key, value: c.value }));
  return store.batch(ops, checkpoint);
}
