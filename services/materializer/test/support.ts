// Test helpers for the materializer: publishing facts as the matcher would, reading the
// outputs as a downstream read_committed consumer would, and running the service as a process.

import type { Consumer, IHeaders, Kafka, Producer } from 'kafkajs';
import { Codec, type AvroSerde, type Topics } from '@optline/kafka';
import type { OptlineConfig } from '@optline/runtime';
import { CliProcess, uniqueName } from '@optline/test';
import { factRecord, type Fact } from '../src/facts.ts';

export function optOut(project: string, phone: string, message_id: string, customer_ids: string[], categories: string[], received_at = Date.now()): Fact {
  return {
    type: 'opted_out', project, phone, message_id, received_at, body: 'STOP', sender: phone, recipient: '00421900000001',
    keyword: 'STOP', customer_ids, categories,
  };
}

export function incoming(project: string, phone: string, message_id: string, customer_id: string | null, received_at = Date.now()): Fact {
  return { type: 'incoming_message', project, phone, message_id, received_at, body: 'STOP', sender: phone, recipient: '00421900000001', customer_id };
}

/** Publishes facts as the matcher does, keyed `<project>:<phone>`. */
export class MatcherStandIn {
  constructor(private readonly producer: Producer, private readonly serde: AvroSerde, private readonly named: Topics) {}

  /** Without a partition, one of 0-4 by key: the last partition stays free for tests of an idle one. */
  async fact(fact: Fact, recordedAt = Date.now(), partition?: number): Promise<{ partition: number; offset: number }> {
    const key = `${fact.project}:${fact.phone}`;
    const value = await this.serde.encode(this.named.facts.name, factRecord(fact, recordedAt));
    const [meta] = await this.producer.send({
      topic: this.named.facts.name, acks: -1,
      messages: [{ key, value, partition: partition ?? [...key].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 5, 0) }],
    });
    return { partition: meta!.partition, offset: Number(meta!.baseOffset) };
  }
}

export interface Output {
  topic: string;
  key: string | null;
  /** Decoded Avro value; null for a tombstone; raw bytes for the dead-letter topic. */
  value: Record<string, unknown> | null;
  raw: Buffer | null;
  headers: IHeaders;
  partition: number;
  offset: string;
  timestamp: number;
}

/** Everything the materializer committed, read as downstream does (read_committed, from the start). */
export class OutputReader {
  readonly records: Output[] = [];
  private consumer: Consumer | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly kafka: Kafka, private readonly serde: AvroSerde, private readonly named: Topics, private readonly readUncommitted = false) {}

  async start(): Promise<this> {
    const { consent, campaign, consentTracked, deadLetter } = this.named;
    this.consumer = this.kafka.consumer({ groupId: uniqueName('test-output'), readUncommitted: this.readUncommitted, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [consent.name, campaign.name, consentTracked.name, deadLetter.name], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const avro = topic !== deadLetter.name && message.value !== null;
        const value = avro ? await new Codec(this.serde).decodeFrom<Record<string, unknown>>(topic, message.value) : null;
        this.records.push({
          topic, key: message.key?.toString() ?? null, value, raw: message.value, headers: message.headers ?? {},
          partition, offset: message.offset, timestamp: Number(message.timestamp),
        });
        for (const l of this.listeners) l();
      },
    });
    return this;
  }

  of(topic: string, project?: string): Output[] {
    return this.records.filter((r) => r.topic === topic && (project === undefined || r.value?.project === project));
  }

  /** Resolves when `done` holds, or fails after `timeoutMs` naming what it waited for. */
  waitFor(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`waited ${timeoutMs} ms for ${what}; read ${this.records.length} output records`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** `optline run materializer` as a child process, its pino JSON log lines parsed. */
export class MaterializerProcess extends CliProcess {
  constructor(config: OptlineConfig, extraEnv: Record<string, string> = {}) {
    super('materializer', {
      OPTLINE_KAFKA_BROKERS: config.kafkaBrokers.join(','),
      OPTLINE_SCHEMA_REGISTRY_URL: config.schemaRegistryUrl,
      OPTLINE_TOPIC_NAMESPACE: config.topicNamespace,
      OPTLINE_WINDOW: `${config.windowMs}ms`,
      OPTLINE_WINDOW_GRACE: `${config.windowGraceMs}ms`,
      OPTLINE_LOG_LEVEL: 'debug',
      ...extraEnv,
    });
  }
}
