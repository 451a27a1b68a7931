import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isExpectedDuringJoin, kafkajsLevel } from '../src/client.ts';

const entry = (level: number, namespace: string, message: string, error?: string) => ({ level, namespace, log: { message, ...(error ? { error } : {}) } });

describe("kafkajs' log lines", () => {
  it('are debug when a group join or a transactional producer meets an expected coordinator answer', () => {
    // The lines a fresh `npm start` printed as warnings (45 of them), one of each kind.
    expect(kafkajsLevel(entry(logLevel.ERROR, 'Connection', 'Response GroupCoordinator(key: 10, version: 2)', 'The group coordinator is not available'))).toBe('debug');
    expect(kafkajsLevel(entry(logLevel.ERROR, 'Connection', 'Response InitProducerId(key: 22, version: 1)', 'This is not the correct coordinator for this group'))).toBe('debug');
    expect(kafkajsLevel(entry(logLevel.ERROR, 'Connection', 'Response InitProducerId(key: 22, version: 1)', "The coordinator is loading and hence can't process requests for this group"))).toBe('debug');
    expect(kafkajsLevel(entry(logLevel.ERROR, 'Consumer', "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group"))).toBe('debug');
    expect(kafkajsLevel(entry(logLevel.ERROR, 'Consumer', 'Restarting the consumer in 100ms'))).toBe('debug');
    expect(kafkajsLevel(entry(logLevel.ERROR, 'Connection', 'Response JoinGroup(key: 11, version: 5)', 'The group is rebalancing, so a rejoin is needed'))).toBe('debug');
  });

  it('are debug when a disconnect ended the retries (a stop with the broker down)', () => {
    expect(kafkajsLevel(entry(logLevel.ERROR, 'Consumer', 'Crash: KafkaJSNonRetriableError: The client was disconnected'))).toBe('debug');
  });

  it('stay warnings for anything else, and when a retry gave up', () => {
    expect(kafkajsLevel(entry(logLevel.ERROR, 'Connection', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092'))).toBe('warn');
    expect(kafkajsLevel(entry(logLevel.ERROR, 'Connection', 'Response Produce(key: 0, version: 7)', 'The request included a message larger than the max message size the server will accept'))).toBe('warn');
    expect(kafkajsLevel(entry(logLevel.ERROR, 'Consumer', 'Crash: KafkaJSNumberOfRetriesExceeded: The group coordinator is not available'))).toBe('warn');
    expect(kafkajsLevel(entry(logLevel.WARN, 'Producer', 'anything'))).toBe('debug');
  });

  it('tell expected errors by their kafkajs type, or their message when the type is gone', () => {
    expect(isExpectedDuringJoin({ type: 'NOT_COORDINATOR_FOR_GROUP', message: 'x' })).toBe(true);
    expect(isExpectedDuringJoin({ type: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'This is not the correct coordinator for this group' })).toBe(false);
    expect(isExpectedDuringJoin(new Error('This is not the correct coordinator for this group'))).toBe(true);
    expect(isExpectedDuringJoin(new Error('boom'))).toBe(false);
    expect(isExpectedDuringJoin(undefined)).toBe(false);
  });
});
