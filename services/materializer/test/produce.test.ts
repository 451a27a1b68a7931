import { describe, expect, it } from 'vitest';
import { chunks } from '../src/produce.ts';

describe('chunks', () => {
  it('splits large sends under the broker batch limit, keeping order and every message', () => {
    const value = Buffer.alloc(1000);
    const input = [
      { topic: 'a', messages: Array.from({ length: 1500 }, (_, i) => ({ key: `a${i}`, value })) },
      { topic: 'b', messages: Array.from({ length: 10 }, (_, i) => ({ key: `b${i}`, value })) },
    ];
    const out = chunks(input);
    expect(out.length).toBeGreaterThan(1);
    for (const chunk of out) {
      const bytes = chunk.flatMap((t) => t.messages).reduce((n, m) => n + (m.value as Buffer).length, 0);
      expect(bytes).toBeLessThan(1024 * 1024);
    }
    const small = chunks([{ topic: 'c', messages: Array.from({ length: 2500 }, (_, i) => ({ key: `c${i}`, value: Buffer.alloc(10) })) }]);
    expect(small.map((c) => c[0]!.messages.length)).toEqual([1000, 1000, 500]);
    const flat = (topic: string) => out.flat().filter((t) => t.topic === topic).flatMap((t) => t.messages.map((m) => m.key));
    expect(flat('a')).toEqual(input[0]!.messages.map((m) => m.key));
    expect(flat('b')).toEqual(input[1]!.messages.map((m) => m.key));
  });
});
