import type { Logger, OptlineConfig } from '@optline/runtime';
import { createKafka } from './client.ts';
import { AvroSerde } from './serde.ts';
import { provisionTopics, topics, type Topics } from './topics.ts';

type Provisioned = { created: string[]; topics: Topics };

// One provisioning per cluster, registry and namespace per process: `optline start` runs every
// service in one process, and each provisions at start; done once, the services start sooner
// (after a crash, the send check answers sooner). A failure is not kept: the next call retries.
const provisioned = new Map<string, Promise<Provisioned>>();

/** Topics and schemas every service expects; safe to run from each service at start. */
export function provision(config: OptlineConfig, logger?: Logger): Promise<Provisioned> {
  const key = JSON.stringify([config.kafkaBrokers, config.schemaRegistryUrl, config.topicNamespace, config.partitions, config.replicationFactor]);
  let done = provisioned.get(key);
  if (!done) {
    done = provisionOnce(config, logger);
    provisioned.set(key, done);
    done.catch(() => provisioned.delete(key));
  }
  return done;
}

async function provisionOnce(config: OptlineConfig, logger?: Logger): Promise<Provisioned> {
  const named = topics(config.topicNamespace);
  const admin = createKafka(config, logger).admin();
  await admin.connect();
  try {
    const created = await provisionTopics(admin, config, Object.values(named));
    await new AvroSerde(config.schemaRegistryUrl, named).registerTopics();
    if (created.length) logger?.info({ created }, 'created topics');
    return { created, topics: named };
  } finally {
    await admin.disconnect();
  }
}
