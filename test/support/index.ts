import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { Consumer, Kafka } from 'kafkajs';
import { loadConfig, type OptlineConfig } from '@optline/runtime';

export { CliProcess, type LogLine } from './processes.ts';

/** The configuration of the broker and registry the global setup started or found. */
export function testConfig(overrides: Partial<OptlineConfig> = {}): OptlineConfig {
  process.env.OPTLINE_KAFKA_BROKERS = inject('kafkaBrokers');
  process.env.OPTLINE_SCHEMA_REGISTRY_URL = inject('schemaRegistryUrl');
  return { ...loadConfig(), ...overrides };
}

// Every name handed out in this test file: topics and namespaces made from them are deleted when
// the file ends (test/setup/delete-topics.ts), so that a full run does not pile up thousands of
// partitions on one broker (each holds open files; the broker died of "Too many open files").
const handedOut = new Set<string>();

export function uniqueName(prefix: string): string {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  handedOut.add(name);
  return name;
}

/** The names uniqueName gave out in this file so far. */
export function uniqueNames(): string[] {
  return [...handedOut];
}

export interface Collected {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/**
 * Reads a topic from the beginning with read_committed until `done` says enough, or fails
 * after `timeoutMs` with what it saw (a test never waits forever on a missing record).
 */
export async function collect(kafka: Kafka, topic: string, done: (records: Collected[]) => boolean, timeoutMs = 30_000): Promise<Collected[]> {
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('test-reader'), readUncommitted: false, maxWaitTimeInMs: 200 });
  const records: Collected[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(Array.isArray(v) ? v[0] : v);
        records.push({ key: message.key?.toString() ?? null, value: message.value, headers, partition, offset: message.offset });
        if (done(records)) finish();
      },
    });
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs));
    if ((await Promise.race([finished, timer])) === 'timeout') {
      throw new Error(`collect(${topic}): condition not met within ${timeoutMs} ms; saw ${records.length} records`);
    }
    return records;
  } finally {
    await consumer.disconnect();
  }
}
