import { describe, expect, it } from 'vitest';
import { boundedMemo } from '../src/processing.ts';

describe('boundedMemo (the phone parsing cache)', () => {
  it('keeps hitting when the inputs cycle through a set a little larger than its bound', () => {
    // As 125k phones replying in turn against a bound of 100k (clearing when full missed them all).
    let computed = 0;
    const memo = boundedMemo((input: string) => (computed++, input.toUpperCase()), 100);
    const inputs = Array.from({ length: 125 }, (_, i) => `phone-${i}`);
    for (const input of inputs) memo(input);
    expect(computed).toBe(125);
    for (let round = 0; round < 4; round++) for (const input of inputs) expect(memo(input)).toBe(input.toUpperCase());
    // 500 look-ups: at most a quarter recomputed.
    expect(computed - 125).toBeLessThan(125);
  });

  it('never recomputes a set within its bound', () => {
    let computed = 0;
    const memo = boundedMemo((input: string) => (computed++, input), 100);
    for (let round = 0; round < 5; round++) for (let i = 0; i < 100; i++) memo(`p-${i}`);
    expect(computed).toBe(100);
  });

  it('holds at most two generations of its bound', () => {
    let computed = 0;
    const memo = boundedMemo((input: string) => (computed++, input), 10);
    for (let i = 0; i < 1000; i++) memo(`x-${i}`);
    expect(computed).toBe(1000);
    // The oldest inputs are gone (recomputed); the last 10 are kept.
    memo('x-0');
    expect(computed).toBe(1001);
    for (let i = 990; i < 1000; i++) memo(`x-${i}`);
    expect(computed).toBe(1001);
  });
});
