import type { Logger, OptlineConfig } from '@optline/runtime';
import { createKafka } from './client.ts';
import { AvroSerde } from './serde.ts';
import { provisionTopics, topics, type Topics } from './topics.ts';

type Provisioned = { created: string[]; topics: Topics };

/** The two steps of provisioning: the topics exist; then (once asked for) every value schema is registered too. */
interface Stages {
  topics: Promise<Provisioned>;
  schemas?: Promise<Provisioned>;
}

// One provisioning per cluster, registry and namespace per process: `optline start` runs every
// service in one process, and each provisions at start; done once, the services start sooner
// (after a crash, the send check answers sooner). A failure is not kept: the next call retries.
const provisioned = new Map<string, Stages>();

function keyOf(config: OptlineConfig): string {
  return JSON.stringify([config.kafkaBrokers, config.schemaRegistryUrl, config.topicNamespace, config.partitions, config.replicationFactor]);
}

/**
 * Resolves once every topic exists; registers no schema (each serde registers what it writes
 * before its first write). For the services that must answer soon after a restart: the ~20
 * value schemas, registered at once on a loaded machine, held the API up by seconds.
 */
export function provisionTopicsFirst(config: OptlineConfig, logger?: Logger): Promise<Provisioned> {
  const key = keyOf(config);
  let stages = provisioned.get(key);
  if (!stages) {
    const topicsDone = provisionTopicsOnce(config, logger);
    stages = { topics: topicsDone };
    provisioned.set(key, stages);
    topicsDone.catch(() => provisioned.delete(key));
  }
  return stages.topics;
}

/** Topics and schemas every service expects; safe to run from each service at start. */
export function provision(config: OptlineConfig, logger?: Logger): Promise<Provisioned> {
  const topicsDone = provisionTopicsFirst(config, logger);
  const stages = provisioned.get(keyOf(config))!;
  if (!stages.schemas) {
    const schemasDone = topicsDone.then(async (result) => {
      await new AvroSerde(config.schemaRegistryUrl, result.topics).registerTopics();
      return result;
    });
    stages.schemas = schemasDone;
    schemasDone.catch(() => {
      if (provisioned.get(keyOf(config)) === stages) provisioned.delete(keyOf(config));
    });
  }
  return stages.schemas;
}

async function provisionTopicsOnce(config: OptlineConfig, logger?: Logger): Promise<Provisioned> {
  const named = topics(config.topicNamespace);
  const admin = createKafka(config, logger).admin();
  await admin.connect();
  try {
    const created = await provisionTopics(admin, config, Object.values(named));
    if (created.length) logger?.info({ created }, 'created topics');
    return { created, topics: named };
  } finally {
    await admin.disconnect();
  }
}
