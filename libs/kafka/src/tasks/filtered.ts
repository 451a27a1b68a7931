// What kafkajs passed over by itself in an input partition. A fetch that returned only
// transaction markers or aborted records never reaches eachBatch: kafkajs resolves it and fetches
// on. A task whose position is at the start of such a stretch then sees a batch that starts past
// it; were it to seek back, a stretch longer than one fetch would be passed over again, forever.

interface Stretch {
  from: bigint;
  to: bigint;
}

/** Per input partition, the last stretch with nothing to process; adjoining ones merge (a long aborted run takes several fetches). */
export class FilteredStretches {
  private readonly last = new Map<string, Stretch>();

  /** Offsets `from`..`to` (inclusive) held only markers or aborted records. */
  add(topic: string, partition: number, from: bigint, to: bigint): void {
    const key = `${topic}/${partition}`;
    const s = this.last.get(key);
    const adjoins = s !== undefined && from <= s.to + 1n && to + 1n >= s.from;
    this.last.set(key, adjoins ? { from: from < s.from ? from : s.from, to: to > s.to ? to : s.to } : { from, to });
  }

  /** `next`, or the offset after the stretch that holds it: nothing there is left to process. */
  past(topic: string, partition: number, next: bigint): bigint {
    const s = this.last.get(`${topic}/${partition}`);
    return s !== undefined && s.from <= next && next <= s.to ? s.to + 1n : next;
  }
}
