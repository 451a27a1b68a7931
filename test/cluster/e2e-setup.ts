import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { stackDown } from '@optline/stack';
import { privateStackEnv, upWithRetry } from '../support/stack-up.ts';

// The integration suite's global setup on a private local cluster of three instead of the shared
// one-node stack: OPTLINE_KAFKA_BROKERS (often exported for that stack) is ignored, the ports are
// OPTLINE_CLUSTER_KAFKA_PORT (default 25092; nodes take +0/+1, +2/+3, +4/+5) and
// OPTLINE_CLUSTER_REGISTRY_PORT (default 25081), the home a temporary folder.
let env: NodeJS.ProcessEnv | undefined;

export async function setup(project: TestProject): Promise<void> {
  const kafkaPort = Number(process.env.OPTLINE_CLUSTER_KAFKA_PORT ?? 25092);
  const registryPort = Number(process.env.OPTLINE_CLUSTER_REGISTRY_PORT ?? 25081);
  env = privateStackEnv(mkdtempSync(join(tmpdir(), 'optline-e2e-cluster-')), { kafkaPort, controllerPort: kafkaPort + 1, registryPort, brokers: 3 });
  const up = await upWithRetry(env, (line) => process.stderr.write(`[cluster setup] ${line}\n`));
  // The test files read these (testConfig), and the services they start are configured from them.
  process.env.OPTLINE_KAFKA_BROKERS = up.brokers;
  process.env.OPTLINE_SCHEMA_REGISTRY_URL = up.schemaRegistryUrl;
  project.provide('kafkaBrokers', up.brokers);
  project.provide('schemaRegistryUrl', up.schemaRegistryUrl);
  process.stderr.write(`[cluster setup] Kafka ${up.brokers}, schema registry ${up.schemaRegistryUrl}\n`);
}

export async function teardown(): Promise<void> {
  if (!env) return;
  await stackDown(() => undefined, env);
  rmSync(env.OPTLINE_STACK_HOME!, { recursive: true, force: true });
}
