import type { Logger, OptlineConfig } from '@optline/runtime';
import { createKafka } from './client.ts';
import { AvroSerde } from './serde.ts';
import { provisionTopics, topics, type Topics } from './topics.ts';

/** Topics and schemas every service expects; safe to run from each service at start. */
export async function provision(config: OptlineConfig, logger?: Logger): Promise<{ created: string[]; topics: Topics }> {
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
