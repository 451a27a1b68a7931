import { describe, expect, it } from 'vitest';
import { PartitionProgress } from '../src/index.ts';

describe('PartitionProgress', () => {
  it('commits below the lowest unfinished reply, however they finish', () => {
    const p = new PartitionProgress();
    expect(p.commitOffset()).toBeNull();
    for (const o of [10n, 11n, 12n]) p.begin(o);
    expect(p.commitOffset()).toBe(10n);
    p.finish(11n);
    expect(p.commitOffset()).toBe(10n);
    p.finish(10n);
    expect(p.commitOffset()).toBe(12n);
    p.finish(12n);
    expect(p.commitOffset()).toBe(13n);
  });

  it('says when the commit offset moved past the last one committed', () => {
    const p = new PartitionProgress();
    p.begin(0n);
    p.finish(0n);
    expect(p.advanced()).toBe(true);
    p.markCommitted(1n);
    expect(p.advanced()).toBe(false);
    p.begin(1n);
    expect(p.advanced()).toBe(false);
  });
});
