// Which offset of a replies partition may be committed: the lowest whose reply has no outcome
// yet. Replies finish out of order (a slow Sinch call, a retry); committing past an unfinished
// one would lose it on a crash.

export class PartitionProgress {
  private readonly open = new Set<bigint>();
  /** One past the highest offset seen. */
  private end = -1n;
  private committed = -1n;

  /** A record at `offset` was read and is not finished. */
  begin(offset: bigint): void {
    this.open.add(offset);
    if (offset + 1n > this.end) this.end = offset + 1n;
  }

  finish(offset: bigint): void {
    this.open.delete(offset);
    if (offset + 1n > this.end) this.end = offset + 1n;
  }

  /** The offset to commit: every record below it is finished; null before any record was seen. */
  commitOffset(): bigint | null {
    if (this.end < 0n) return null;
    let low = this.end;
    for (const o of this.open) if (o < low) low = o;
    return low;
  }

  /** True when commitOffset() moved past what was last marked committed. */
  advanced(): boolean {
    const c = this.commitOffset();
    return c !== null && c > this.committed;
  }

  markCommitted(offset: bigint): void {
    if (offset > this.committed) this.committed = offset;
  }

  get inFlight(): number {
    return this.open.size;
  }
}
