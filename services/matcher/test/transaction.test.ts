import { describe, expect, it } from 'vitest';
import { produceRequests } from '../src/transaction.ts';

describe('produceRequests', () => {
  const out = (topic: string, n: number, bytes: number) => Array.from({ length: n }, (_, i) => ({ topic, key: `k${i}`, value: Buffer.alloc(bytes) }));

  it('keeps a small transaction in one request, outputs first, then the changelog on the task partition', () => {
    const requests = produceRequests([...out('blacklist', 1, 10), ...out('facts', 2, 10)], { topic: 'changelog', partition: 3, changes: [{ key: 'a', value: Buffer.alloc(5) }, { key: 'b', value: null }] });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.changelogRecords).toBe(2);
    expect(requests[0]!.topicMessages.map((t) => [t.topic, t.messages.length])).toEqual([['blacklist', 1], ['facts', 2], ['changelog', 2]]);
    expect(requests[0]!.topicMessages[2]!.messages.every((m) => m.partition === 3)).toBe(true);
  });

  it('splits by bytes, in order, and counts the changelog records of each request', () => {
    const requests = produceRequests(out('facts', 10, 1000), { topic: 'changelog', partition: 0, changes: Array.from({ length: 10 }, (_, i) => ({ key: `c${i}`, value: Buffer.alloc(1000) })) }, 4000);
    expect(requests.length).toBeGreaterThan(4);
    for (const r of requests) {
      const bytes = r.topicMessages.flatMap((t) => t.messages).reduce((n, m) => n + (m.value as Buffer).length, 0);
      expect(bytes).toBeLessThanOrEqual(4000);
    }
    const flat = requests.flatMap((r) => r.topicMessages.flatMap((t) => t.messages.map((m) => `${t.topic}/${m.key}`)));
    expect(flat).toEqual([...Array.from({ length: 10 }, (_, i) => `facts/k${i}`), ...Array.from({ length: 10 }, (_, i) => `changelog/c${i}`)]);
    expect(requests.reduce((n, r) => n + r.changelogRecords, 0)).toBe(10);
    for (const r of requests) expect(r.changelogRecords).toBe(r.topicMessages.find((t) => t.topic === 'changelog')?.messages.length ?? 0);
  });

  it('sends a record larger than the bound alone', () => {
    expect(produceRequests([...out('dlq', 1, 10), ...out('dlq', 1, 9000), ...out('dlq', 1, 10)], undefined, 4000)).toHaveLength(3);
  });
});
