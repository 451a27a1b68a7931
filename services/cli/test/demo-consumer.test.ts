import { describe, expect, it, vi } from 'vitest';
import { Kafka, logLevel, type ConsumerConfig } from 'kafkajs';
import { eventsConsumer } from '../src/commands/demo.ts';

// Issue #15: every consumer ends on stop. The demo reads the events with a consumer that kafkajs
// must not restart after the demo disconnected it (a crash during the disconnect otherwise
// schedules a restart, and the demo stays up after printing its tables).
describe('the demo', () => {
  it("reads the events with a consumer whose restart kafkajs is refused once it was disconnected", async () => {
    const kafka = new Kafka({ clientId: 'demo-test', brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });
    const made = vi.spyOn(kafka, 'consumer');
    const consumer = eventsConsumer(kafka, 'r1');
    const config = made.mock.calls[0]![0] as ConsumerConfig;
    expect(config.groupId).toBe('optline-demo-r1');
    const restart = config.retry?.restartOnFailure;
    expect(restart, 'a restartOnFailure that stop can refuse').toBeTypeOf('function');
    expect(await restart!(new Error('crash while running'))).toBe(true);
    await consumer.disconnect();
    expect(await restart!(new Error('crash during the disconnect'))).toBe(false);
  });
});
