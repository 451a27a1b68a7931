// A STARTED write the broker refuses must not lose the replies of its batch. While a leader
// moves, the write can fail after kafkajs' retries (issue #21: a STOP's confirmation never sent,
// nothing logged). kafkajs then reads the partition on from the offsets resolved; the replier had
// resolved the batch's records and kept their replies "in flight", so neither that read nor a
// re-read after a rejoin ever sent them. Here the broker really refuses: the attempts topic's
// max.message.bytes is set below any record batch, then restored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { testConfig, uniqueName } from '@optline/test';
import type { Replier } from '../src/index.ts';
import { countsOf, intent, publish, replierOn, startRig, until, type Rig } from './support.ts';

const PLAN = 'plan-refused';
const TOKEN = 'sinch-token-refused';
const config = testConfig({ topicNamespace: uniqueName('it-replier-refused') });
let rig: Rig;
let admin: Admin;
let replier: Replier;

beforeAll(async () => {
  rig = await startRig(config, { servicePlanId: PLAN, apiToken: TOKEN });
  admin = rig.kafka.admin();
  await admin.connect();
  replier = replierOn(rig, config, 'fatal');
  await replier.start();
});

afterAll(async () => {
  await replier?.stop();
  await admin?.disconnect();
  await rig?.stop();
});

/** The topic's own settings (kafkajs' alterConfigs replaces them all, so they are set again with the change). */
async function topicSettings(topic: string): Promise<Array<{ name: string; value: string }>> {
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
  return resources[0]!.configEntries.filter((e) => !e.isDefault && !e.readOnly).map((e) => ({ name: e.configName, value: e.configValue }));
}

async function setTopic(topic: string, entries: Array<{ name: string; value: string }>): Promise<void> {
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: entries }] });
}

describe('replier: the broker refuses a batch\'s STARTED records', () => {
  it('the batch is read again once the broker takes them: each reply sent once', async () => {
    const project = uniqueName('p');
    const before = Array.from({ length: 3 }, (_, i) => intent(project, i));
    const refused = Array.from({ length: 5 }, (_, i) => intent(project, 10 + i));
    await publish(rig.producer, rig.serde, rig.topics, before);
    await until('the first replies sent', () => rig.campaign.of(project).length >= 3);

    const attempts = rig.topics.replyAttempts.name;
    const settings = await topicSettings(attempts);
    await setTopic(attempts, [...settings.filter((e) => e.name !== 'max.message.bytes'), { name: 'max.message.bytes', value: '16' }]);
    try {
      await publish(rig.producer, rig.serde, rig.topics, refused);
      // Long enough for the replier to read them and have its STARTED write refused, more than once.
      await new Promise((r) => setTimeout(r, 3000));
      expect(countsOf(rig.sandbox.counts(), refused)).toEqual(refused.map(() => 0));
    } finally {
      await setTopic(attempts, settings);
    }
    await until('the refused batch\'s replies sent and tracked', () => rig.campaign.of(project).length >= 8, 60_000);
    await new Promise((r) => setTimeout(r, 1000)); // a second copy would show
    expect(countsOf(rig.sandbox.counts(), [...before, ...refused])).toEqual([...before, ...refused].map(() => 1));
    expect(rig.campaign.of(project).filter((e) => e.status === 'auto_reply_sent')).toHaveLength(8);
    expect(await replier.metrics.metrics()).toMatch(/optline_replier_batch_retries_total\{service="replier"\} [1-9]/);
  }, 90_000);
});
