// The backlog `bench matcher` drains, shared with `bench matcher-vs-streams`: one namespace with
// the project's settings and a backlog of replies on its inbound topic (5 % opt-outs, 5 %
// opt-ins, the rest conversation, trackIncoming on), and how a drain's sustained rate is taken.
import { randomUUID } from 'node:crypto';
import type { Kafka, Message, Producer } from 'kafkajs';
import { AvroSerde, createKafka, provision, type Topics } from '@optline/kafka';
import type { OptlineConfig } from '@optline/runtime';

export const DEDICATED_NUMBER = '700700';

export async function sendAll(producer: Producer, topic: string, messages: Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 5000) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 5000) });
}

/**
 * Rate over the 10 %..100 % stretch of a drain: the first tenth (group join, task opening,
 * JIT warm-up) is excluded, so this is the sustained rate. `onWindow` hears when the stretch
 * starts and ends (to take CPU readings at the same instants).
 */
export async function sustainedRate(
  processed: () => Promise<number> | number, total: number,
  options: { timeoutMs: number; label: string; pollMs?: number; onWindow?: (edge: 'start' | 'end') => void; progress?: (n: number) => void },
): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  let from: { n: number; t: number } | undefined;
  while (true) {
    const n = await processed();
    const t = performance.now();
    options.progress?.(n);
    if (!from && n >= total * 0.1) {
      from = { n, t };
      options.onWindow?.('start');
    }
    if (n >= total) {
      options.onWindow?.('end');
      return ((n - from!.n) / (t - from!.t)) * 1000;
    }
    if (Date.now() > deadline) throw new Error(`${options.label}: ${n} of ${total} records processed within ${options.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 20));
  }
}

export interface Backlog {
  config: OptlineConfig;
  topics: Topics;
  kafka: Kafka;
}

/**
 * One namespace (`<prefix>-<random>`) with the settings and `messages` replies from `phones`
 * phones on its inbound topic; run `run` gets phones and message ids of its own.
 */
export async function writeBacklog(
  base: OptlineConfig, options: { prefix: string; messages: number; phones: number; run: number; progress?: (written: number) => void },
): Promise<Backlog> {
  const config = { ...base, topicNamespace: `${options.prefix}-${randomUUID().slice(0, 8)}` };
  const { topics } = await provision(config);
  const kafka = createKafka(config);
  const serde = new AvroSerde(config.schemaRegistryUrl, topics);
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  try {
    const settings = {
      project: 'bench', version: 1, trackIncoming: true, optOutEnabled: true, keywords: ['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit'],
      optInKeywords: ['start'], consentCategories: ['sms'], dedicatedNumbers: [DEDICATED_NUMBER], updatedAt: Date.now(),
    };
    await producer.send({ topic: topics.settings.name, acks: -1, messages: [{ key: 'bench', value: await serde.encode(topics.settings.name, settings) }] });
    const now = Date.now();
    const { run, phones } = options;
    // Written in slices: a 1 M backlog's encoded messages need not all be in memory at once.
    for (let from = 0; from < options.messages; from += 100_000) {
      const messages: Message[] = [];
      for (let i = from; i < Math.min(options.messages, from + 100_000); i++) {
        const phone = `0042190${run}${String(i % phones).padStart(6, '0')}`;
        // Mostly conversation, some opt-outs and opt-ins: every path of the decision is exercised.
        const body = i % 20 === 0 ? 'STOP' : i % 20 === 10 ? 'Start' : `Thanks, see you at ${i % 24}:00`;
        const value = await serde.encode(topics.inbound.name, {
          id: `bench-${run}-${i}`, type: 'mo_text', from: phone, to: DEDICATED_NUMBER, body, received_at: now + i, sent_at: null, operator_id: null,
          client_reference: null, udh: null, ingested_at: now + i, source: 'bench',
        });
        messages.push({ key: phone, value });
      }
      await sendAll(producer, topics.inbound.name, messages);
      options.progress?.(from + messages.length);
    }
  } finally {
    await producer.disconnect();
  }
  return { config, topics, kafka };
}
