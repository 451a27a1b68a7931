import { describe, expect, it, vi } from 'vitest';
import { formatTable, runBench } from '../src/harness.ts';

describe('bench harness', () => {
  it('aligns the first column left and the others right', () => {
    const table = formatTable(['case', 'msg/s'], [['naive', '1,000'], ['compiled', '10,000,000']]);
    expect(table.split('\n')).toEqual([
      'case           msg/s',
      '--------  ----------',
      'naive          1,000',
      'compiled  10,000,000',
    ]);
  });

  it('reports the median of the runs and the ratio against a baseline measured in the same run', () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // A simulated clock: each call "takes" its cost, whatever else the machine is doing.
    let calls = 0;
    let clock = 0;
    const busy = (ms: number) => () => {
      calls++;
      clock += ms;
      return calls;
    };
    const [slow, fast] = runBench({ title: 'test', runs: 3, warmup: 1, now: () => clock }, [
      { name: 'slow', fn: busy(20), ops: 100 },
      { name: 'fast', fn: busy(5), ops: 100, baseline: 'slow' },
    ]);
    vi.restoreAllMocks();
    expect(calls).toBe(8);
    expect(slow!.ratio).toBeNull();
    expect(slow!.medianMs).toBe(20);
    expect(fast!.medianMs).toBe(5);
    expect(fast!.opsPerSecond).toBeCloseTo((100 / fast!.medianMs) * 1000);
    expect(fast!.ratio).toBeCloseTo(4);
    expect(fast!.ratio).toBeCloseTo(fast!.opsPerSecond / slow!.opsPerSecond);
  });
});
