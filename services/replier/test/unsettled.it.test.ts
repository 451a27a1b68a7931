import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { ReplyIntent } from '@optline/core';
import { testConfig, uniqueName } from '@optline/test';
import { Replier } from '../src/index.ts';
import { countsOf, intent, publish, startRig, until, type Rig } from './support.ts';

// An outcome transaction that committed on the broker while the replier saw its commit fail
// (the transaction coordinator moved or died with the EndTxn answer in flight, as when the node
// leading most partitions is killed: issue #21). The test hook throws after the commit; the
// replier must find out that it committed and not track the reply a second time. Before, the
// outcomes went into the next transaction again: auto_reply_sent twice for one Sinch batch.

const PLAN = 'plan-unsettled';
const TOKEN = 'sinch-token-unsettled';
const config = testConfig({ topicNamespace: uniqueName('it-replier-unsettled') });
let rig: Rig;
let replier: Replier;
/** Commits with outcomes still to be reported failed. */
let failures = 0;
const send = (intents: ReplyIntent[]) => publish(rig.producer, rig.serde, rig.topics, intents);

beforeAll(async () => {
  rig = await startRig(config, { servicePlanId: PLAN, apiToken: TOKEN });
  replier = new Replier({
    config, logger: pino({ level: 'warn' }),
    sinch: { apiUrl: rig.sandbox.baseUrl, servicePlanId: PLAN, apiToken: TOKEN, timeoutMs: 1000, retry: { initialMs: 100, maxMs: 2000 } },
    afterCommit: (_partition, outcomes) => {
      if (outcomes > 0 && failures-- > 0) throw new Error('test: the EndTxn answer was lost');
    },
  });
  await replier.start();
});

afterAll(async () => {
  await Promise.allSettled([replier?.stop()]);
  await rig?.stop();
});

describe('replier: a commit that failed on the client but committed on the broker', () => {
  it('tracks each reply once: the outcomes already committed are not written again', async () => {
    const project = uniqueName('p');
    const intents = Array.from({ length: 12 }, (_, i) => intent(project, i));
    failures = 3;
    await send(intents);
    await until('12 campaign events', () => rig.campaign.of(project).length >= 12, 30_000);
    await until('every failure injected', () => failures <= 0, 10_000);
    // A second copy would come with the next transactions: give them time to show.
    await new Promise((r) => setTimeout(r, 3000));
    expect(countsOf(rig.sandbox.counts(), intents)).toEqual(intents.map(() => 1));
    const events = rig.campaign.of(project);
    expect(events.filter((e) => e.status === 'auto_reply_sent')).toHaveLength(12);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
    const metrics = await replier.metrics.metrics();
    expect(metrics).toMatch(/optline_replier_replies_total\{kind="optOut",outcome="sent",service="replier"\} 12\n/);
  });

  it('keeps working after it: a later reply is sent and tracked once', async () => {
    const project = uniqueName('p');
    const later = intent(project, 99);
    await send([later]);
    await until('its campaign event', () => rig.campaign.of(project).length >= 1, 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(rig.sandbox.count(later.event_id)).toBe(1);
    expect(rig.campaign.of(project)).toHaveLength(1);
  });
});
