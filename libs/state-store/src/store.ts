import { mkdir } from 'node:fs/promises';
import rocksdb, { type BatchOperation, type RocksDB } from 'rocksdb';

/** Where a store's content comes from: the next offset of its changelog partition to apply. */
export interface Checkpoint {
  topic: string;
  partition: number;
  /** Next changelog offset not yet reflected in the store (decimal string, as Kafka offsets). */
  offset: string;
}

export type StoreOp = { type: 'put'; key: string; value: Buffer } | { type: 'delete'; key: string };

export interface Range {
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  reverse?: boolean;
  limit?: number;
}

/** A key-value store of one partition's state, keys strings and values bytes. */
export interface KeyValueStore {
  readonly location: string;
  get(key: string): Promise<Buffer | undefined>;
  getMany(keys: readonly string[]): Promise<Array<Buffer | undefined>>;
  put(key: string, value: Buffer): Promise<void>;
  delete(key: string): Promise<void>;
  /** Entries in key order (byte-wise), within the bounds. */
  range(range?: Range): AsyncIterable<[string, Buffer]>;
  /** Applies every operation, and the checkpoint when given, atomically. */
  batch(ops: readonly StoreOp[], checkpoint?: Checkpoint): Promise<void>;
  checkpoint(): Promise<Checkpoint | null>;
  /** Removes every entry and the checkpoint. */
  clear(): Promise<void>;
  /** Bytes on disk of the data (RocksDB's estimate, including unflushed memtables). */
  approximateSize(): Promise<number>;
  close(): Promise<void>;
}

// Data and metadata share one RocksDB: data keys start with 'd', the checkpoint with 'm', so
// a range over data never meets the checkpoint and both can change in one atomic batch.
const DATA = 'd';
const DATA_END = 'e';
const CHECKPOINT_KEY = 'mcheckpoint';

function promise<T>(fn: (cb: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))));
}

function done(fn: (cb: (error?: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((error) => (error ? reject(error) : resolve())));
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && ((error as { notFound?: boolean }).notFound === true || /NotFound/i.test(error.message));
}

export class RocksDbStore implements KeyValueStore {
  private closed = false;

  private constructor(
    private readonly db: RocksDB,
    readonly location: string,
  ) {}

  /** Opens (creating if missing) the RocksDB at `location`. */
  static async open(location: string): Promise<RocksDbStore> {
    await mkdir(location, { recursive: true });
    const db = rocksdb(location);
    // Snappy, a 32 MB memtable and a bounded number of open files: the store is one of many
    // per process (one per assigned partition).
    await done((cb) => db.open({ createIfMissing: true, compression: true, writeBufferSize: 32 * 1024 * 1024, maxOpenFiles: 256, infoLogLevel: 'error' }, cb));
    return new RocksDbStore(db, location);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await promise<Buffer>((cb) => this.db.get(DATA + key, { asBuffer: true }, cb));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async getMany(keys: readonly string[]): Promise<Array<Buffer | undefined>> {
    if (keys.length === 0) return [];
    const values = await promise<Array<Buffer | undefined>>((cb) => this.db.getMany(keys.map((k) => DATA + k), { asBuffer: true }, cb));
    return values.map((v) => v ?? undefined);
  }

  put(key: string, value: Buffer): Promise<void> {
    return done((cb) => this.db.put(DATA + key, value, {}, cb));
  }

  delete(key: string): Promise<void> {
    return done((cb) => this.db.del(DATA + key, {}, cb));
  }

  async *range(range: Range = {}): AsyncIterable<[string, Buffer]> {
    const bounds: Record<string, string> = {};
    if (range.gt !== undefined) bounds.gt = DATA + range.gt;
    else bounds.gte = DATA + (range.gte ?? '');
    if (range.lt !== undefined) bounds.lt = DATA + range.lt;
    else if (range.lte !== undefined) bounds.lte = DATA + range.lte;
    else bounds.lt = DATA_END;
    const it = this.db.iterator({ ...bounds, reverse: range.reverse ?? false, limit: range.limit ?? -1, keyAsBuffer: false, valueAsBuffer: true });
    try {
      while (true) {
        const [key, value] = await new Promise<[string | Buffer | undefined, Buffer | undefined]>((resolve, reject) =>
          it.next((error, k, v) => (error ? reject(error) : resolve([k, v]))),
        );
        if (key === undefined) return;
        yield [String(key).slice(DATA.length), value!];
      }
    } finally {
      await done((cb) => it.end(cb));
    }
  }

  batch(ops: readonly StoreOp[], checkpoint?: Checkpoint): Promise<void> {
    const operations: BatchOperation[] = ops.map((op) =>
      op.type === 'put' ? { type: 'put', key: DATA + op.key, value: op.value } : { type: 'del', key: DATA + op.key },
    );
    if (checkpoint) operations.push({ type: 'put', key: CHECKPOINT_KEY, value: JSON.stringify(checkpoint) });
    if (operations.length === 0) return Promise.resolve();
    return done((cb) => this.db.batch(operations, {}, cb));
  }

  async checkpoint(): Promise<Checkpoint | null> {
    try {
      const raw = await promise<Buffer>((cb) => this.db.get(CHECKPOINT_KEY, { asBuffer: true }, cb));
      return JSON.parse(raw.toString('utf8')) as Checkpoint;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async clear(): Promise<void> {
    await done((cb) => this.db.clear({}, cb));
  }

  async approximateSize(): Promise<number> {
    // Flushed SST files plus what is still in memtables, which approximateSize does not see.
    const onDisk = await promise<number>((cb) => this.db.approximateSize(DATA, DATA_END, cb));
    const inMemory = Number(this.db.getProperty('rocksdb.cur-size-all-mem-tables')) || 0;
    return onDisk + inMemory;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await done((cb) => this.db.close(cb));
  }
}
