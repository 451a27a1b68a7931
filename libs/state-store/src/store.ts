import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RocksLevel, type BatchOperation, type IteratorOptions } from '@nxtedition/rocksdb';

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
  /** Bytes of the data: live SST files plus what is still in memtables (RocksDB's figures). */
  approximateSize(): Promise<number>;
  /** Why the folder was wiped when the store was opened (it held another format), if it was. */
  readonly wiped?: string;
  close(): Promise<void>;
}

// Data and metadata share one RocksDB: data keys start with 'd', the checkpoint with 'm', so
// a range over data never meets the checkpoint and both can change in one atomic batch.
const DATA = 'd';
const DATA_END = 'e';
const CHECKPOINT_KEY = 'mcheckpoint';

// A folder holds this store format when this file says so. Local state is a cache of the
// changelogs, so a folder in any other format is wiped and restored. The first one this
// detects: folders of optline's earlier binding (the `rocksdb` 5.2.1 package, RocksDB 6.17 with
// Snappy), which this build of RocksDB opens but cannot read (it aborts the process on the first
// read of a Snappy block). Change FORMAT whenever a change makes older folders unreadable.
export const FORMAT_FILE = 'OPTLINE-STORE';
export const FORMAT = 'optline state store 2 (@nxtedition/rocksdb 12, RocksDB 9.7, zstd)';

async function readFormat(location: string): Promise<string | null> {
  try {
    return (await readFile(join(location, FORMAT_FILE), 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Makes `location` a folder of this format; returns why it had to be wiped, if it had. */
async function prepareFolder(location: string): Promise<string | undefined> {
  const format = await readFormat(location);
  if (format === FORMAT) return undefined;
  const entries = await readdir(location).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
  let wiped: string | undefined;
  if (entries.length > 0) {
    wiped = format === null
      ? `no ${FORMAT_FILE} file: written by an earlier optline (RocksDB binding \`rocksdb\` 5.2.1), which this version cannot read`
      : `${FORMAT_FILE} says "${format}", this version writes "${FORMAT}"`;
    await rm(location, { recursive: true, force: true });
  }
  await mkdir(location, { recursive: true });
  // Before RocksDB writes anything: a folder never holds this format's files without the mark.
  await writeFile(join(location, FORMAT_FILE), `${FORMAT}\n`);
  return wiped;
}

export class RocksDbStore implements KeyValueStore {
  private closed = false;

  private constructor(
    private readonly db: RocksLevel,
    readonly location: string,
    readonly wiped: string | undefined,
  ) {}

  /**
   * Opens (creating if missing) the RocksDB at `location`. A folder in another format is wiped
   * first (`wiped` says why): the changelog restore then rebuilds it from scratch.
   */
  static async open(location: string): Promise<RocksDbStore> {
    const wiped = await prepareFolder(location);
    const db = new RocksLevel(location, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
    // The binding's defaults suit one small store per assigned partition: zstd, an 8 MB block
    // cache, 64 MB memtables, a bloom filter; its info log only for errors.
    await db.open({ createIfMissing: true, infoLogLevel: 'error' });
    return new RocksDbStore(db, location, wiped);
  }

  async get(key: string): Promise<Buffer | undefined> {
    const [value] = await this.db.getMany([DATA + key]);
    return value ?? undefined;
  }

  async getMany(keys: readonly string[]): Promise<Array<Buffer | undefined>> {
    if (keys.length === 0) return [];
    const values = await this.db.getMany(keys.map((k) => DATA + k));
    return values.map((v) => v ?? undefined);
  }

  put(key: string, value: Buffer): Promise<void> {
    return this.db.put(DATA + key, value);
  }

  delete(key: string): Promise<void> {
    return this.db.del(DATA + key);
  }

  async *range(range: Range = {}): AsyncIterable<[string, Buffer]> {
    const options: IteratorOptions = { reverse: range.reverse ?? false };
    if (range.gt !== undefined) options.gt = DATA + range.gt;
    else options.gte = DATA + (range.gte ?? '');
    if (range.lt !== undefined) options.lt = DATA + range.lt;
    else if (range.lte !== undefined) options.lte = DATA + range.lte;
    else options.lt = DATA_END;
    if (range.limit !== undefined) options.limit = range.limit;
    const it = this.db.iterator(options);
    try {
      while (true) {
        const entry = await it.next();
        if (entry === undefined) return;
        yield [entry[0].slice(DATA.length), entry[1]];
      }
    } finally {
      await it.close();
    }
  }

  batch(ops: readonly StoreOp[], checkpoint?: Checkpoint): Promise<void> {
    const operations: BatchOperation[] = ops.map((op) =>
      op.type === 'put' ? { type: 'put', key: DATA + op.key, value: op.value } : { type: 'del', key: DATA + op.key },
    );
    if (checkpoint) operations.push({ type: 'put', key: CHECKPOINT_KEY, value: JSON.stringify(checkpoint) });
    if (operations.length === 0) return Promise.resolve();
    return this.db.batch(operations);
  }

  async checkpoint(): Promise<Checkpoint | null> {
    const [raw] = await this.db.getMany([CHECKPOINT_KEY]);
    return raw ? (JSON.parse(raw.toString('utf8')) as Checkpoint) : null;
  }

  clear(): Promise<void> {
    return this.db.clear();
  }

  async approximateSize(): Promise<number> {
    const sst = Number(this.db.getProperty('rocksdb.live-sst-files-size')) || 0;
    const inMemory = Number(this.db.getProperty('rocksdb.cur-size-all-mem-tables')) || 0;
    return sst + inMemory;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }
}
