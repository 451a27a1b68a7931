import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Producer } from 'kafkajs';
import type { AvroSerde, Topics } from '@optline/kafka';
import type { SinchSandbox } from '@optline/sinch';
import { CliProcess, testConfig, uniqueName } from '@optline/test';
import { countsOf, intent, publish, startRig, until, type CampaignReader, type Rig } from './support.ts';

// kill -9 of the replier process while replies are in flight (Sinch answering slowly, some
// answers dropped after the batch was accepted): every reply reaches Sinch exactly once, and
// is tracked once.

const PLAN = 'plan-crash';
const TOKEN = 'sinch-token-crash';
const namespace = uniqueName('it-replier-crash');
const config = testConfig({ topicNamespace: namespace });
let rig: Rig;
let topics: Topics;
let producer: Producer;
let serde: AvroSerde;
let sandbox: SinchSandbox;
let campaign: CampaignReader;
let replier: CliProcess | undefined;

function startReplier(): CliProcess {
  return new CliProcess('replier', {
    OPTLINE_KAFKA_BROKERS: config.kafkaBrokers.join(','),
    OPTLINE_SCHEMA_REGISTRY_URL: config.schemaRegistryUrl,
    OPTLINE_TOPIC_NAMESPACE: namespace,
    OPTLINE_SINCH_API_URL: sandbox.baseUrl,
    OPTLINE_SINCH_SERVICE_PLAN_ID: PLAN,
    OPTLINE_SINCH_API_TOKEN: TOKEN,
    OPTLINE_SINCH_TIMEOUT_MS: '2000',
    OPTLINE_LOG_LEVEL: 'info',
  });
}

beforeAll(async () => {
  rig = await startRig(config, { servicePlanId: PLAN, apiToken: TOKEN, latencyMs: 300 });
  ({ topics, producer, serde, sandbox, campaign } = rig);
});

afterAll(async () => {
  await replier?.stop();
  await rig?.stop();
});

describe('replier crash', () => {
  it('kill -9 with replies in flight and answers dropped: each reply reaches Sinch once, tracked once', async () => {
    const project = uniqueName('p');
    const intents = Array.from({ length: 300 }, (_, i) => intent(project, i));
    replier = startReplier();
    await replier.waitForLog('replier started');
    let published = 0;
    const load = (async () => {
      while (published < intents.length) {
        await publish(producer, serde, topics, intents.slice(published, published + 10));
        published += 10;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    for (const [killAt, dropped] of [[40, 5], [150, 5]] as const) {
      await until(`${killAt} batches accepted`, () => sandbox.batches.length >= killAt, 60_000);
      // Accepted by Sinch, the answer lost: only a look-up can tell these were sent.
      sandbox.failWith({ kind: 'drop_response', times: dropped });
      await until('the dropped answers', () => sandbox.calls.posts >= killAt + dropped, 30_000);
      sandbox.heal();
      const inFlight = sandbox.calls.posts - sandbox.batches.length;
      await replier.kill();
      expect(inFlight).toBeGreaterThanOrEqual(0);
      replier = startReplier();
      await replier.waitForLog('replier started');
    }
    await load;
    await until('300 campaign events', () => campaign.of(project).length >= 300, 120_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(countsOf(sandbox.counts(), intents).filter((n) => n !== 1)).toEqual([]);
    const ids = campaign.of(project).map((e) => e.event_id);
    expect(ids).toHaveLength(300);
    expect(new Set(ids).size).toBe(300);
    // The restarts found the accepted-but-unanswered batches by client_reference.
    expect(sandbox.calls.lookups).toBeGreaterThan(0);
  }, 300_000);
});
