import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Kafka } from 'kafkajs';
import { loadIngressSettings, startIngress, type RunningIngress } from '@optline/ingress';
import { createKafka } from '@optline/kafka';
import { createLogger, loadConfig, type OptlineConfig } from '@optline/runtime';
import { stackDown, stackUp } from '@optline/stack';
import { privateStackEnv, upWithRetry } from './stack-up.ts';
import { uniqueName } from './index.ts';

// A test that kills brokers cannot use the suite's shared stack: it starts one of its own, on
// ports given to it and in a temporary home, and removes it when done.

export interface PrivateStackOptions {
  /** Names the temporary home and the topic namespace. */
  name: string;
  kafkaPort: number;
  controllerPort: number;
  registryPort: number;
  /** Combined KRaft nodes; node i takes kafkaPort + 2(i-1) and controllerPort + 2(i-1). */
  brokers?: number;
}

export interface PrivateStack {
  home: string;
  brokers: string;
  schemaRegistryUrl: string;
  /** Configuration on this stack (replication = the node count, at most 3), its own namespace. */
  config: OptlineConfig;
  kafka: Kafka;
  /** kill -9 of one Kafka node (1 on a one-node stack). */
  kill(node?: number): void;
  /** Starts the nodes that are not running; their data is kept. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateStack(options: PrivateStackOptions): Promise<PrivateStack> {
  const count = options.brokers ?? 1;
  const home = mkdtempSync(join(tmpdir(), `optline-${options.name}-`));
  const env = privateStackEnv(home, { ...options, brokers: count });
  const up = await upWithRetry(env);
  const config: OptlineConfig = {
    ...loadConfig({ OPTLINE_KAFKA_BROKERS: up.brokers, OPTLINE_SCHEMA_REGISTRY_URL: up.schemaRegistryUrl, OPTLINE_REPLICATION_FACTOR: String(Math.min(3, count)) }),
    topicNamespace: uniqueName(options.name),
    ingressPort: 0,
  };
  const pidFile = (node: number) => join(home, 'run', count === 1 ? 'kafka.pid' : `kafka-${node}.pid`);
  return {
    home,
    brokers: up.brokers,
    schemaRegistryUrl: up.schemaRegistryUrl,
    config,
    kafka: createKafka(config),
    kill: (node = 1) => process.kill(Number(readFileSync(pidFile(node), 'utf8')), 'SIGKILL'),
    restart: async () => void (await stackUp(() => undefined, env)),
    async stop() {
      await stackDown(() => undefined, env);
      if (process.env.OPTLINE_TEST_KEEP_HOME) process.stderr.write(`[diag] kept ${home}\n`);
      else rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A private stack for one test file: started before its tests, removed after them. */
export function privateStackForFile(options: PrivateStackOptions): () => PrivateStack {
  let stack: PrivateStack | undefined;
  beforeAll(async () => void (stack = await startPrivateStack(options)), 300_000);
  afterAll(async () => stack?.stop(), 120_000);
  return () => stack!;
}

/** A private stack and ingress alone on it (see startQuietIngress) for one test file. */
export function ingressOnPrivateStackForFile(options: PrivateStackOptions, publishTimeout: string): () => { stack: PrivateStack; ingress: RunningIngress } {
  let stack: PrivateStack | undefined;
  let ingress: RunningIngress | undefined;
  beforeAll(async () => {
    stack = await startPrivateStack(options);
    ingress = await startQuietIngress(stack.config, publishTimeout);
  }, 300_000);
  afterAll(async () => {
    await ingress?.stop();
    await stack?.stop();
  }, 120_000);
  return () => ({ stack: stack!, ingress: ingress! });
}

/**
 * Ingress alone on `config`, without auth, answering 503 after `publishTimeout` without an
 * acknowledgement; its logger is silent because the lost brokers' errors are expected.
 */
export function startQuietIngress(config: OptlineConfig, publishTimeout: string): Promise<RunningIngress> {
  return startIngress({
    config,
    logger: createLogger('ingress', 'fatal'),
    settings: { ...loadIngressSettings({ OPTLINE_INGRESS_PUBLISH_TIMEOUT: publishTimeout }), basicAuth: null, hmac: null },
  });
}

/** The node leading most partitions of `topics` (all topics when none are named). */
export async function leaderOfMost(kafka: Kafka, topics?: string[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata(topics ? { topics } : undefined);
    const counts = new Map<number, number>();
    for (const t of meta.topics) for (const p of t.partitions) if (p.leader >= 0) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  } finally {
    await admin.disconnect();
  }
}
