import { describe, expect, it } from 'vitest';
import { changelogCheckpoint, topicMessages } from '../src/transaction.ts';

describe('a matcher transaction', () => {
  it('writes the outputs first, in emission order, then the changelog on the task partition', () => {
    const outputs = [{ topic: 'blacklist', key: 'k', value: null }, { topic: 'facts', key: 'k', value: Buffer.alloc(1) }, { topic: 'facts', key: 'j', value: Buffer.alloc(1) }];
    const records = topicMessages(outputs, { topic: 'changelog', partition: 3, changes: [{ key: 'a', value: Buffer.alloc(5) }, { key: 'b', value: null }] });
    expect(records.map((t) => [t.topic, t.messages.length])).toEqual([['blacklist', 1], ['facts', 2], ['changelog', 2]]);
    expect(records[2]!.messages.every((m) => m.partition === 3)).toBe(true);
  });

  it('checkpoints the changelog after the last request that carried changelog records', () => {
    const request = (n: number) => [{ topic: 'changelog', messages: Array.from({ length: n }, () => ({ key: 'x', value: null })) }];
    const meta = (base: string) => [{ topicName: 'changelog', partition: 2, baseOffset: base, errorCode: 0 }];
    const sent = [{ request: request(4), metadata: meta('10') }, { request: request(3), metadata: meta('14') }, { request: [{ topic: 'facts', messages: [] }], metadata: [] }];
    expect(changelogCheckpoint(sent, 'changelog', 2)).toEqual({ topic: 'changelog', partition: 2, offset: '17' });
    expect(changelogCheckpoint([], 'changelog', 2)).toBeUndefined();
  });
});
