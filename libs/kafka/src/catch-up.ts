// Where a tailing consumer stands in each partition, and who is waiting for it to get where.
// Kept free of Kafka so the bookkeeping is unit-tested on its own (CompactedTail drives it).

/** Per partition, the offset the log ended at when someone asked (read_committed end offsets). */
export type EndOffsets = ReadonlyMap<number, number>;

interface Waiter {
  targets: EndOffsets;
  resolve: () => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/** How long a wait may take, and the error it rejects with past that. */
export interface WaitLimit {
  ms: number;
  error: () => Error;
}

export class CatchUp {
  /** Next offset to read, per partition. */
  private readonly next = new Map<number, number>();
  /** Last high watermark seen per partition (for the lag). */
  private readonly high = new Map<number, number>();
  private waiters: Waiter[] = [];

  /** The consumer finished a batch ending at `lastOffset` (control and aborted records included). */
  advance(partition: number, lastOffset: number, highWatermark?: number): void {
    this.next.set(partition, Math.max(this.next.get(partition) ?? 0, lastOffset + 1));
    if (highWatermark !== undefined) this.high.set(partition, highWatermark);
    this.settle();
  }

  /** True when every partition has been read up to its target. */
  reached(targets: EndOffsets): boolean {
    for (const [partition, target] of targets) {
      if ((this.next.get(partition) ?? 0) < target) return false;
    }
    return true;
  }

  /**
   * Resolves once every partition has been read up to its target; with a limit, rejects past it
   * and is forgotten (a timed-out wait is not re-checked on every later batch).
   */
  waitFor(targets: EndOffsets, limit?: WaitLimit): Promise<void> {
    if (this.reached(targets)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { targets, resolve, reject };
      if (limit) {
        waiter.timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(limit.error());
        }, limit.ms);
        // A wait still pending when the process wants to exit must not keep it alive.
        waiter.timer.unref();
      }
      this.waiters.push(waiter);
    });
  }

  /** Rejects and forgets every pending wait: the reader will not get further. */
  fail(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(error);
    }
  }

  /** Records the log has beyond what was read, summed over partitions (as of the last batch or target). */
  lag(targets?: EndOffsets): number {
    let lag = 0;
    const partitions = new Set([...this.high.keys(), ...(targets?.keys() ?? [])]);
    for (const partition of partitions) {
      const end = Math.max(this.high.get(partition) ?? 0, targets?.get(partition) ?? 0);
      lag += Math.max(0, end - (this.next.get(partition) ?? 0));
    }
    return lag;
  }

  private settle(): void {
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (this.reached(w.targets)) {
        clearTimeout(w.timer);
        w.resolve();
      } else {
        still.push(w);
      }
    }
    this.waiters = still;
  }
}

/**
 * The targets worth waiting for: an empty partition (end <= start) has nothing to read and no
 * batch will ever report on it.
 */
export function targetsFrom(offsets: ReadonlyArray<{ partition: number; high: string; low: string }>): Map<number, number> {
  const targets = new Map<number, number>();
  for (const o of offsets) {
    const high = Number(o.high);
    if (high > Number(o.low)) targets.set(o.partition, high);
  }
  return targets;
}
