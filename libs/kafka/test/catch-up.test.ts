import { describe, expect, it } from 'vitest';
import { CatchUp, targetsFrom } from '../src/catch-up.ts';

describe('CatchUp', () => {
  it('resolves a wait once every partition has been read up to its target', async () => {
    const c = new CatchUp();
    let done = false;
    const wait = c.waitFor(new Map([[0, 10], [1, 5]])).then(() => (done = true));
    c.advance(0, 9);
    await Promise.resolve();
    expect(done).toBe(false);
    c.advance(1, 4);
    await wait;
    expect(done).toBe(true);
  });

  it('counts a batch that ended on a control record as read (the last offset is the marker)', async () => {
    const c = new CatchUp();
    c.advance(0, 6); // records 0-5 and the commit marker at 6
    await expect(c.waitFor(new Map([[0, 7]]))).resolves.toBeUndefined();
  });

  it('never moves a position backwards', () => {
    const c = new CatchUp();
    c.advance(0, 9);
    c.advance(0, 3);
    expect(c.reached(new Map([[0, 10]]))).toBe(true);
  });

  it('reports the lag against the targets and the high watermarks seen', () => {
    const c = new CatchUp();
    expect(c.lag(new Map([[0, 10], [1, 4]]))).toBe(14);
    c.advance(0, 4, 12);
    expect(c.lag(new Map([[0, 10], [1, 4]]))).toBe(7 + 4);
  });

  it('does not wait for empty partitions', () => {
    const targets = targetsFrom([
      { partition: 0, high: '0', low: '0' },
      { partition: 1, high: '7', low: '7' },
      { partition: 2, high: '9', low: '3' },
    ]);
    expect([...targets]).toEqual([[2, 9]]);
  });

  it('rejects a wait past its limit with the limit\'s error', async () => {
    const c = new CatchUp();
    await expect(c.waitFor(new Map([[0, 10]]), { ms: 10, error: () => new Error('too slow') })).rejects.toThrow('too slow');
  });

  it('fail() rejects every pending wait, with or without a limit', async () => {
    const c = new CatchUp();
    const limited = c.waitFor(new Map([[0, 50]]), { ms: 10_000, error: () => new Error('too slow') });
    const open = c.waitFor(new Map([[1, 50]]));
    c.fail(new Error('stopped'));
    await expect(limited).rejects.toThrow('stopped');
    await expect(open).rejects.toThrow('stopped');
  });
});
