import { describe, expect, it } from 'vitest';
import { PartitionWindows } from '../src/partition.ts';

const W = 1000;
const spec = { lengthMs: W, graceMs: 100 };

describe('PartitionWindows', () => {
  it('flushes the closed windows and commits the lowest offset still pending', () => {
    const p = new PartitionWindows<string>(spec, 10, null);
    expect(p.admit(10, 1500, 'a')).toBe('buffered'); // window 1000
    expect(p.admit(11, 2100, 'b')).toBe('buffered'); // window 2000, a later window at a lower offset
    expect(p.admit(12, 1900, 'c')).toBe('buffered'); // window 1000
    const plan = p.takeDue(2000);
    expect(plan.items).toEqual(['a', 'c']);
    expect(plan.commitOffset).toBe(11);
    expect(plan.watermark).toEqual({ flushedBefore: 2000, readTo: 13 });
    expect(plan.needed).toBe(true);
    p.commit(plan);
    expect(p.committedOffset).toBe(11);
    expect(p.pendingCount).toBe(1);
  });

  it('commits the read position when nothing stays pending, and needs no transaction when nothing changed', () => {
    const p = new PartitionWindows<string>(spec, 0, null);
    p.admit(0, 500, 'a');
    const first = p.takeDue(1000);
    expect(first.commitOffset).toBe(1);
    p.commit(first);
    expect(p.takeDue(2000).needed).toBe(false);
  });

  it('puts a fact read after its window was flushed into the next window (late, not dropped)', () => {
    const p = new PartitionWindows<string>(spec, 0, null);
    p.commit(p.takeDue(2000));
    expect(p.admit(0, 1500, 'late')).toBe('late');
    expect(p.takeDue(3000).items).toEqual(['late']);
  });

  it('after a restart skips exactly the re-read facts the last flush covered', () => {
    // The previous owner flushed a and c (window 1000) and committed offset 11 (b pending).
    const p = new PartitionWindows<string>(spec, 11, { flushedBefore: 2000, readTo: 13 });
    expect(p.caughtUp).toBe(false);
    expect(p.isDue(3000)).toBe(false);
    expect(p.admit(11, 2100, 'b')).toBe('buffered');
    expect(p.admit(12, 1900, 'c')).toBe('already_flushed');
    expect(p.caughtUp).toBe(true);
    expect(p.admit(13, 1950, 'd')).toBe('late'); // read after window 1000 was flushed
    const plan = p.takeDue(3000);
    expect(plan.items).toEqual(['b', 'd']);
    expect(plan.commitOffset).toBe(14);
  });

  it('is not due twice for the same boundary, and refuses a flush that is not due', () => {
    const p = new PartitionWindows<string>(spec, 0, null);
    p.admit(0, 500, 'a');
    p.takeDue(1000);
    expect(p.isDue(1000)).toBe(false);
    expect(() => p.takeDue(1000)).toThrow(/not due/);
  });

  it('refuses an offset it has already read', () => {
    const p = new PartitionWindows<string>(spec, 5, null);
    expect(p.hasRead(4)).toBe(true);
    p.admit(5, 0, 'a');
    expect(() => p.admit(5, 0, 'a')).toThrow(/admitted again/);
  });

  it('takes a batch that continues the read position, refuses one that starts past it, and skips a filtered tail', () => {
    const p = new PartitionWindows<string>(spec, 10, null);
    expect(p.continues(8)).toBe(true); // overlaps what was read: the re-read records are skipped
    expect(p.continues(10)).toBe(true);
    expect(p.continues(11)).toBe(false); // offset 10 would never be read
    p.admit(10, 500, 'a');
    p.skipTo(13); // 11 and 12: the transaction's marker, aborted records
    expect(p.readPosition).toBe(13);
    expect(p.continues(13)).toBe(true);
    p.skipTo(12); // never backwards
    expect(p.readPosition).toBe(13);
    expect(p.takeDue(1000).commitOffset).toBe(13);
  });

  it('keeps every fact exactly once across any crash point (model check)', () => {
    // Random interleavings of reads, flushes and crashes against the watermark rule.
    for (let seed = 1; seed <= 300; seed++) {
      let rnd = seed;
      const next = () => ((rnd = (rnd * 1103515245 + 12345) % 2147483648) / 2147483648);
      const log: number[] = []; // recorded_at by offset
      const emitted: number[] = [];
      let durable = { offset: 0, watermark: null as null | { flushedBefore: number; readTo: number } };
      let p = new PartitionWindows<number>(spec, 0, null);
      let now = 0;
      for (let step = 0; step < 60; step++) {
        now += Math.floor(next() * 400);
        const r = next();
        if (r < 0.5) log.push(now - Math.floor(next() * 1500)); // skewed, sometimes late
        else if (r < 0.9) {
          const upTo = p.readPosition + Math.floor(next() * (log.length - p.readPosition + 1)); // partial reads
          while (p.readPosition < upTo) p.admit(p.readPosition, log[p.readPosition]!, p.readPosition);
          const boundary = Math.floor((now - spec.graceMs) / W) * W;
          if (p.isDue(boundary)) {
            const plan = p.takeDue(boundary);
            if (next() < 0.2) { p = new PartitionWindows<number>(spec, durable.offset, durable.watermark); continue; } // crash mid-flush
            emitted.push(...plan.items);
            p.commit(plan);
            durable = { offset: plan.commitOffset, watermark: plan.watermark };
          }
        } else p = new PartitionWindows<number>(spec, durable.offset, durable.watermark); // crash
      }
      // Drain: read everything, flush far in the future.
      while (p.readPosition < log.length) p.admit(p.readPosition, log[p.readPosition]!, p.readPosition);
      const end = p.takeDue(1e12);
      emitted.push(...end.items);
      expect([...emitted].sort((a, b) => a - b), `seed ${seed}`).toEqual(log.map((_, i) => i));
    }
  });
});
