import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { testConfig, uniqueName } from '@optline/test';
import { ClusterTooSmallError, createKafka, provisionTopics, type TopicSpec } from '../src/index.ts';

// The suite's broker is one node: a replication factor it cannot meet must be refused before
// any topic is created, by a message that says what to change.
const config = testConfig({ topicNamespace: uniqueName('it-replication') });
let admin: Admin;

beforeAll(async () => {
  admin = createKafka(config).admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
});

const spec = (suffix: string): TopicSpec => ({ name: `${config.topicNamespace}.${suffix}`, valueSchema: null, compacted: false, doc: 'test' });

describe('provisionTopics on a cluster smaller than the replication factor', () => {
  it('refuses with ClusterTooSmallError naming OPTLINE_REPLICATION_FACTOR and the brokers, and creates nothing', async () => {
    const topic = spec('too-small');
    const attempt = provisionTopics(admin, { partitions: 1, replicationFactor: 3, minInsyncReplicas: 2 }, [topic]);
    await expect(attempt).rejects.toBeInstanceOf(ClusterTooSmallError);
    await expect(attempt).rejects.toThrow(/OPTLINE_REPLICATION_FACTOR is 3, but the cluster has 1 broker\(s\) \(127\.0\.0\.1:\d+\)/);
    expect(await admin.listTopics()).not.toContain(topic.name);
  });

  it('creates a topic the cluster can hold with min.insync.replicas set on the topic', async () => {
    const topic = spec('fits');
    expect(await provisionTopics(admin, { partitions: 1, replicationFactor: 1 }, [topic])).toEqual([topic.name]);
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic.name, configNames: ['min.insync.replicas'] }] });
    const entry = described.resources[0]!.configEntries[0]!;
    expect([entry.configValue, entry.isDefault]).toEqual(['1', false]);
  });
});
