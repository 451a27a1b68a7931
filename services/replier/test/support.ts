// Test helpers for the replier: reply intents published as the matcher does, the campaign
// events read as downstream does (read_committed), and a wait with a reason.

import type { Consumer, Kafka, Producer } from 'kafkajs';
import { replyEventId, replyKey, type ReplyIntent, type ReplyKind } from '@optline/core';
import { AvroSerde, Codec, createKafka, provision, type Topics } from '@optline/kafka';
import type { OptlineConfig } from '@optline/runtime';
import { pino, type Level } from 'pino';
import { SinchSandbox, type SandboxOptions } from '@optline/sinch';
import { uniqueName } from '@optline/test';
import { Replier } from '../src/index.ts';

export const DEDICATED = '00421900000001';

export function intent(project: string, i: number, kind: ReplyKind = 'optOut', at = Date.now()): ReplyIntent {
  const message_id = `m-${i}`;
  return {
    event_id: replyEventId(project, message_id, kind), project, kind, text: `${kind} text ${i}`,
    from: DEDICATED, to: `00421905${String(100_000 + i)}`, message_id, keyword: 'stop',
    customer_id: i % 2 === 0 ? `c-${i}` : null, received_at: at, inbound_at: at, decided_at: at,
  };
}

/** As the matcher does; into `partition` when given, else the key's. */
export async function publish(producer: Producer, serde: AvroSerde, topics: Topics, intents: ReplyIntent[], partition?: number): Promise<void> {
  const encode = await serde.encoderFor(topics.replies.name);
  await producer.send({ topic: topics.replies.name, acks: -1, messages: intents.map((r) => ({ key: replyKey(r), value: encode(r), ...(partition === undefined ? {} : { partition }) })) });
}

/** The campaign events committed so far, decoded. */
export class CampaignReader {
  readonly events: Array<Record<string, unknown>> = [];
  private consumer: Consumer | undefined;

  constructor(private readonly kafka: Kafka, private readonly serde: AvroSerde, private readonly topics: Topics) {}

  async start(): Promise<this> {
    this.consumer = this.kafka.consumer({ groupId: uniqueName('test-campaign'), readUncommitted: false, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topics.campaign.name, fromBeginning: true });
    await this.consumer.run({ eachMessage: async ({ message }) => void this.events.push(await new Codec(this.serde).decode('CampaignEvent', message.value)) });
    return this;
  }

  of(project: string): Array<Record<string, unknown>> {
    return this.events.filter((e) => e.project === project);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

export async function until(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** client_reference -> batches, for the references given; every one must be exactly 1. */
export function countsOf(counts: Map<string, number>, intents: ReplyIntent[]): number[] {
  return intents.map((r) => counts.get(r.event_id) ?? 0);
}

/** What a replier test runs against: its topics, a producer of intents, a Sinch test server, a campaign reader. */
export interface Rig {
  topics: Topics;
  kafka: Kafka;
  producer: Producer;
  serde: AvroSerde;
  sandbox: SinchSandbox;
  campaign: CampaignReader;
  sandboxOptions: SandboxOptions;
  stop(): Promise<void>;
}

/** A replier against the rig's Sinch test server, with a short call limit and back-off. */
export function replierOn(rig: Rig, config: OptlineConfig, level: Level = 'warn'): Replier {
  const { servicePlanId, apiToken } = rig.sandboxOptions;
  return new Replier({
    config, logger: pino({ level }),
    sinch: { apiUrl: rig.sandbox.baseUrl, servicePlanId, apiToken, timeoutMs: 1000, retry: { initialMs: 100, maxMs: 2000 } },
  });
}

export async function startRig(config: OptlineConfig, sandboxOptions: SandboxOptions): Promise<Rig> {
  const { topics } = await provision(config);
  const kafka = createKafka(config);
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const serde = new AvroSerde(config.schemaRegistryUrl, topics);
  const sandbox = new SinchSandbox(sandboxOptions);
  await sandbox.start();
  const campaign = await new CampaignReader(kafka, serde, topics).start();
  return {
    topics, kafka, producer, serde, sandbox, campaign, sandboxOptions,
    async stop() {
      await campaign.stop();
      await producer.disconnect();
      await sandbox.stop();
    },
  };
}
