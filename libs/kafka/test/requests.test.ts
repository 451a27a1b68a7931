import { describe, expect, it } from 'vitest';
import type { TopicMessages } from 'kafkajs';
import { messageSize, PRODUCE_REQUEST_BYTES, splitRequests } from '../src/tasks/requests.ts';

const out = (topic: string, n: number, bytes: number): TopicMessages => ({ topic, messages: Array.from({ length: n }, (_, i) => ({ key: `${topic}${i}`, value: Buffer.alloc(bytes) })) });
const sizeOf = (request: TopicMessages[]) => request.flatMap((t) => t.messages).reduce((n, m) => n + messageSize(m), 0);

describe('splitRequests', () => {
  it('keeps a small send in one request, topics in order', () => {
    const requests = splitRequests([out('blacklist', 1, 10), out('facts', 2, 10)]);
    expect(requests.map((r) => r.map((t) => [t.topic, t.messages.length]))).toEqual([[['blacklist', 1], ['facts', 2]]]);
  });

  it('splits by the one size estimate, keeping every message in order', () => {
    const input = [out('a', 1500, 1000), out('b', 10, 1000)];
    const requests = splitRequests(input);
    expect(requests.length).toBeGreaterThan(2);
    for (const r of requests) expect(sizeOf(r)).toBeLessThanOrEqual(PRODUCE_REQUEST_BYTES);
    const flat = requests.flat().flatMap((t) => t.messages.map((m) => `${t.topic}/${m.key}`));
    expect(flat).toEqual(input.flatMap((t) => t.messages.map((m) => `${t.topic}/${m.key}`)));
  });

  it('sends a record larger than the bound alone', () => {
    expect(splitRequests([out('dlq', 1, 10), out('dlq', 1, 9000), out('dlq', 1, 10)], 4000)).toHaveLength(3);
  });

  it('counts keys, values and headers', () => {
    expect(messageSize({ key: 'ab', value: Buffer.alloc(10), headers: { h: 'xyz', l: ['a', Buffer.alloc(2)] } })).toBe(32 + 2 + 10 + (1 + 8 + 3) + (1 + 8 + 3));
  });
});
