import type { Change } from './pending.ts';
import type { Checkpoint, KeyValueStore, StoreOp } from './store.ts';

export interface WriteBehindOptions {
  /** Flush once this many committed transactions are held (default 8). */
  maxTransactions?: number;
  /** Flush once this many distinct keys are held (default 50,000). */
  maxKeys?: number;
  /** Flush once the oldest held write is this old (default 5 s). */
  maxAgeMs?: number;
}

/**
 * Committed changes of a task, encoded, held in memory before they reach its store, as Kafka
 * Streams' record cache holds them: several transactions that rewrite one key (a phone that
 * replies again) cost one RocksDB write instead of one each. Only committed changes come here,
 * and the checkpoint written with a flush is the changelog position they reach, so a crash
 * that loses what is held leaves the store at an older checkpoint, which the restore catches up
 * from the changelog (as after any crash). Reads see held values before the store's.
 */
export class WriteBehind {
  private readonly held = new Map<string, Buffer | null>();
  private checkpoint: Checkpoint | undefined;
  private transactions = 0;
  private since = 0;
  private readonly maxTransactions: number;
  private readonly maxKeys: number;
  private readonly maxAgeMs: number;

  constructor(options: WriteBehindOptions = {}) {
    this.maxTransactions = options.maxTransactions ?? 8;
    this.maxKeys = options.maxKeys ?? 50_000;
    this.maxAgeMs = options.maxAgeMs ?? 5000;
  }

  /** The held bytes of a key (null: deleted), or undefined when the store has its latest value. */
  get(key: string): Buffer | null | undefined {
    return this.held.get(key);
  }

  get size(): number {
    return this.held.size;
  }

  /** A committed transaction's changes and the changelog position after it. */
  add(changes: readonly Change[], checkpoint: Checkpoint | undefined, now = Date.now()): void {
    if (changes.length === 0 && checkpoint === undefined) return;
    if (this.transactions === 0) this.since = now;
    for (const c of changes) this.held.set(c.key, c.value);
    if (checkpoint !== undefined) this.checkpoint = checkpoint;
    this.transactions++;
  }

  /** Whether a flush is due: enough transactions, keys, or time held. */
  due(now = Date.now()): boolean {
    return this.transactions > 0 && (this.transactions >= this.maxTransactions || this.held.size >= this.maxKeys || now - this.since >= this.maxAgeMs);
  }

  /** Writes what is held, with the latest checkpoint, in one atomic batch. */
  async flush(store: KeyValueStore): Promise<void> {
    if (this.transactions === 0) return;
    const ops: StoreOp[] = [];
    for (const [key, value] of this.held) ops.push(value === null ? { type: 'delete', key } : { type: 'put', key, value });
    await store.batch(ops, this.checkpoint);
    this.held.clear();
    this.checkpoint = undefined;
    this.transactions = 0;
  }
}
