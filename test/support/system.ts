import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import { AvroSerde, Codec, createKafka, provision, type Topics } from '@optline/kafka';
import { createLogger, type OptlineConfig, type RunningService, type ServiceStarter } from '@optline/runtime';
import { SinchSandbox } from '@optline/sinch';

export const API_TOKEN = 'e2e-token';
export const INGRESS_AUTH = 'sinch:e2e-secret';

const STARTERS: Record<string, () => Promise<{ start: ServiceStarter }>> = {
  matcher: () => import('@optline/matcher'),
  materializer: () => import('@optline/materializer'),
  ingress: () => import('@optline/ingress'),
  api: () => import('@optline/api'),
};
const REPLIER = () => import('@optline/replier');

/** The whole system in this process, on a topic namespace of its own, with short windows. */
export interface System {
  config: OptlineConfig;
  topics: Topics;
  kafka: Kafka;
  serde: AvroSerde;
  /** Reads values as the services do (reader schemas of schemas/avro). */
  codec: Codec;
  producer: Producer;
  ingressUrl: string;
  apiUrl: string;
  api(path: string, init?: RequestInit): Promise<Response>;
  postSinch(body: Record<string, unknown>): Promise<Response>;
  produce(topic: string, key: string, value: unknown): Promise<void>;
  /** The Sinch test server the replier sends to, when started with `replies`. */
  sinch: SinchSandbox | undefined;
  stop(): Promise<void>;
}

/**
 * Starts every service in this process on `base`'s broker and registry, under a fresh topic
 * namespace and state folder, with short windows and random ports. Used by the end-to-end
 * tests and by benches (so it must not need vitest).
 */
export async function startSystem(
  base: OptlineConfig,
  options: { windowMs?: number; graceMs?: number; logLevel?: string; replies?: { sinchLatencyMs?: number } } = {},
): Promise<System> {
  process.env.OPTLINE_API_TOKEN = API_TOKEN;
  process.env.OPTLINE_INGRESS_BASIC_AUTH = INGRESS_AUTH;
  delete process.env.OPTLINE_SINCH_HMAC_SECRET;
  const stateDir = mkdtempSync(join(tmpdir(), 'optline-system-'));
  const config: OptlineConfig = {
    ...base,
    topicNamespace: `sys-${randomUUID().slice(0, 8)}`,
    stateDir,
    windowMs: options.windowMs ?? 2000,
    windowGraceMs: options.graceMs ?? 300,
    ingressPort: 0,
    apiPort: 0,
  };
  const { topics } = await provision(config);
  const logger = createLogger('system', options.logLevel ?? process.env.OPTLINE_LOG_LEVEL ?? 'warn');
  const running: RunningService[] = [];
  let sinch: SinchSandbox | undefined;
  const starters = { ...STARTERS };
  if (options.replies) {
    sinch = new SinchSandbox({ servicePlanId: 'system-plan', apiToken: 'system-sinch-token', latencyMs: options.replies.sinchLatencyMs ?? 0 });
    process.env.OPTLINE_SINCH_API_URL = await sinch.start();
    process.env.OPTLINE_SINCH_SERVICE_PLAN_ID = 'system-plan';
    process.env.OPTLINE_SINCH_API_TOKEN = 'system-sinch-token';
    starters.replier = REPLIER;
  }
  for (const name of Object.keys(starters)) {
    const { start } = await starters[name]!();
    running.push(await start({ config, logger: logger.child({ service: name }) }));
  }
  const url = (name: string) => running.find((s) => s.name === name)?.urls?.[0] ?? '';
  const kafka = createKafka(config);
  const serde = new AvroSerde(config.schemaRegistryUrl, topics);
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const ingressUrl = url('ingress');
  const apiUrl = url('api');
  return {
    config,
    topics,
    kafka,
    serde,
    codec: new Codec(serde),
    producer,
    ingressUrl,
    apiUrl,
    api: (path, init = {}) =>
      fetch(`${apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } }),
    postSinch: (body) =>
      fetch(`${ingressUrl}/v1/sinch/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(INGRESS_AUTH).toString('base64')}` },
        body: JSON.stringify(body),
      }),
    async produce(topic, key, value) {
      await producer.send({ topic, acks: -1, messages: [{ key, value: await serde.encode(topic, value) }] });
    },
    sinch,
    async stop() {
      await producer.disconnect();
      for (const service of running.reverse()) await service.stop();
      await sinch?.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns a value; fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
