import { describe, expect, it } from 'vitest';
import { canonicalJson, compareDigests, comparableLine, DigestBuilder } from '../src/output-digest.ts';
import { cpuTicksOfStat } from '../src/harness.ts';

type Rec = [partition: number, key: string | null, value: unknown];

function digest(records: readonly Rec[], partitions = 2) {
  const b = new DigestBuilder();
  for (const [p, k, v] of records) b.add(p, k, v);
  return b.digest(partitions);
}

const fact = (id: string, recordedAt: number) => ({ fact: { 'dev.optline.IncomingMessageFact': { message_id: id, body: 'hi' } }, recorded_at: recordedAt });

describe('output digests (bench matcher-vs-streams)', () => {
  it('ignores the wall-clock recorded_at and the order of object keys', () => {
    expect(comparableLine('k', fact('m1', 1))).toBe(comparableLine('k', fact('m1', 2)));
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
    expect(comparableLine('k', null)).not.toBe(comparableLine('k', {}));
  });

  it('is identical when each key has the same records in order in the same partition, however keys interleave', () => {
    const a = digest([[0, 'x', fact('1', 1)], [0, 'y', fact('2', 1)], [1, 'z', null], [0, 'x', fact('3', 1)]]);
    const b = digest([[0, 'y', fact('2', 9)], [0, 'x', fact('1', 9)], [0, 'x', fact('3', 9)], [1, 'z', null]]);
    expect(compareDigests(a, b)).toBe('identical');
    expect(a).toMatchObject({ records: 4, tombstones: 1 });
  });

  it("tells a key's records in another order, a changed field and a missing record apart", () => {
    const base: Rec[] = [[0, 'x', fact('1', 1)], [0, 'x', fact('2', 1)]];
    const reordered: Rec[] = [[0, 'x', fact('2', 1)], [0, 'x', fact('1', 1)]];
    expect(compareDigests(digest(base), digest(reordered))).toBe('different');
    expect(compareDigests(digest(base), digest([[0, 'x', fact('1', 1)], [0, 'x', { ...fact('2', 1), fact: { other: {} } }]]))).toBe('different');
    expect(compareDigests(digest(base), digest(base.slice(0, 1)))).toBe('different');
  });

  it('reports records in other partitions (another partitioner) as such', () => {
    const a = digest([[0, 'x', fact('1', 1)], [1, 'y', fact('2', 1)]]);
    const b = digest([[1, 'x', fact('1', 1)], [0, 'y', fact('2', 1)]]);
    expect(compareDigests(a, b)).toBe('same records per key, other partitions');
  });
});

describe('CPU time from /proc/<pid>/stat', () => {
  it('adds utime and stime, also when the process name holds spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 1234 567 0 0 20 0 11 0 100 1000 50';
    expect(cpuTicksOfStat(stat)).toBe(1234 + 567);
  });
});
