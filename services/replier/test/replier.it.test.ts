import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Producer } from 'kafkajs';
import { pino } from 'pino';
import type { AvroSerde, Topics } from '@optline/kafka';
import type { SinchSandbox } from '@optline/sinch';
import { testConfig, uniqueName } from '@optline/test';
import { Replier } from '../src/index.ts';
import { countsOf, DEDICATED, intent, publish, startRig, until, type CampaignReader, type Rig } from './support.ts';

// The replier against the real broker and a Sinch test server on loopback. Intents are
// published as the matcher publishes them; every test counts the batches Sinch accepted per
// client_reference: each reply exactly once, none twice.

const PLAN = 'plan-it';
const TOKEN = 'sinch-token-it';
const namespace = uniqueName('it-replier');
const config = testConfig({ topicNamespace: namespace });
let rig: Rig;
let topics: Topics;
let producer: Producer;
let serde: AvroSerde;
let sandbox: SinchSandbox;
let campaign: CampaignReader;
let replier: Replier;

const logger = pino({ level: 'warn' });

function newReplier(giveUpMs?: number): Replier {
  return new Replier({
    config, logger,
    sinch: { apiUrl: sandbox.baseUrl, servicePlanId: PLAN, apiToken: TOKEN, timeoutMs: 1000, retry: { initialMs: 100, maxMs: 2000 } },
    ...(giveUpMs === undefined ? {} : { giveUpMs }),
  });
}

beforeAll(async () => {
  rig = await startRig(config, { servicePlanId: PLAN, apiToken: TOKEN });
  ({ topics, producer, serde, sandbox, campaign } = rig);
  replier = newReplier();
  await replier.start();
});

afterAll(async () => {
  await replier?.stop();
  await rig?.stop();
});

beforeEach(() => sandbox.heal());

describe('replier', () => {
  it('sends each reply once, from the dedicated number to the phone, and tracks it as auto_reply_sent', async () => {
    const project = uniqueName('p');
    const intents = Array.from({ length: 20 }, (_, i) => intent(project, i, i % 3 === 0 ? 'help' : 'optOut'));
    await publish(producer, serde, topics, intents);
    await until('20 campaign events', () => campaign.of(project).length >= 20);
    expect(countsOf(sandbox.counts(), intents)).toEqual(intents.map(() => 1));
    const first = sandbox.batches.find((b) => b.client_reference === intents[0]!.event_id)!;
    expect(first).toMatchObject({ from: DEDICATED.slice(2), to: [intents[0]!.to.slice(2)], body: intents[0]!.text, type: 'mt_text' });
    const events = campaign.of(project);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(20);
    expect(events.find((e) => e.message === intents[0]!.text)).toMatchObject({
      status: 'auto_reply_sent', action_type: 'sms', sender: DEDICATED, recipient: intents[0]!.to, customer_id: 'c-0',
    });
    const metrics = await replier.metrics.metrics();
    expect(metrics).toMatch(/optline_replier_replies_total\{kind="help",outcome="sent",service="replier"\} [1-9]/);
    expect(metrics).toMatch(/optline_replier_reply_latency_seconds_count\{service="replier"\} [1-9]/);
    // Each record read once: a replier that did not advance its fetch position re-read its batches.
    expect(metrics).not.toMatch(/outcome="skipped"/);
  });

  it('accepted but the answer dropped, resets and 500s: every reply reaches Sinch exactly once', async () => {
    const project = uniqueName('p');
    const intents = Array.from({ length: 30 }, (_, i) => intent(project, i));
    sandbox.failWith({ kind: 'drop_response', times: 10 });
    await publish(producer, serde, topics, intents.slice(0, 10));
    await until('the dropped answers', () => sandbox.calls.posts >= 10);
    sandbox.failWith({ kind: 'reset', times: 5 });
    await publish(producer, serde, topics, intents.slice(10, 20));
    await until('the resets', () => sandbox.calls.posts >= 15);
    sandbox.failWith({ kind: 'status', status: 500, times: 5 });
    await publish(producer, serde, topics, intents.slice(20));
    await until('30 campaign events', () => campaign.of(project).length >= 30, 60_000);
    expect(countsOf(sandbox.counts(), intents)).toEqual(intents.map(() => 1));
    expect(campaign.of(project).every((e) => e.status === 'auto_reply_sent')).toBe(true);
  });

  it('Sinch down for a minute, then back: every reply is sent once after it returns', async () => {
    const project = uniqueName('p');
    const intents = Array.from({ length: 20 }, (_, i) => intent(project, i));
    sandbox.failWith({ kind: 'status', status: 503 });
    const downAt = Date.now();
    await publish(producer, serde, topics, intents);
    await new Promise((r) => setTimeout(r, 60_000));
    expect(intents.every((r) => sandbox.count(r.event_id) === 0)).toBe(true);
    expect(campaign.of(project)).toHaveLength(0);
    sandbox.heal();
    await until('20 campaign events after Sinch returned', () => campaign.of(project).length >= 20, 30_000);
    expect(Date.now() - downAt).toBeGreaterThanOrEqual(60_000);
    expect(countsOf(sandbox.counts(), intents)).toEqual(intents.map(() => 1));
  }, 150_000);

  it('429 with Retry-After: no re-send before the time it asked for', async () => {
    const project = uniqueName('p');
    const one = intent(project, 1);
    sandbox.failWith({ kind: 'status', status: 429, retryAfterSeconds: 3, times: 1 });
    const t0 = Date.now();
    await publish(producer, serde, topics, [one]);
    await until('the reply sent', () => sandbox.count(one.event_id) === 1, 20_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3000);
    await until('its campaign event', () => campaign.of(project).length === 1);
  });

  it('a 4xx is final: auto_reply_failed with the reason, and no further call', async () => {
    const project = uniqueName('p');
    const one = intent(project, 1);
    sandbox.failWith({ kind: 'status', status: 400, times: 1 });
    const posts = sandbox.calls.posts;
    await publish(producer, serde, topics, [one]);
    await until('the failure event', () => campaign.of(project).length === 1);
    expect(campaign.of(project)[0]).toMatchObject({ status: 'auto_reply_failed', message: expect.stringContaining('HTTP 400'), sender: DEDICATED, recipient: one.to });
    expect(sandbox.calls.posts - posts).toBe(1);
  });

  it('a reply first read after its give-up time (the replier was down for a day) is auto_reply_failed, never sent late', async () => {
    const project = uniqueName('p');
    const late = intent(project, 1, 'optOut', Date.now() - 25 * 60 * 60 * 1000);
    const posts = sandbox.calls.posts;
    await publish(producer, serde, topics, [late]);
    await until('the failure event', () => campaign.of(project).length === 1);
    expect(campaign.of(project)[0]).toMatchObject({ status: 'auto_reply_failed', message: expect.stringContaining('not sent within 24 h') });
    expect(sandbox.calls.posts - posts).toBe(0);
    expect(sandbox.count(late.event_id)).toBe(0);
  });

  it('gives up when the give-up time passes while Sinch keeps failing', async () => {
    await replier.stop();
    replier = newReplier(3000);
    await replier.start();
    const project = uniqueName('p');
    const one = intent(project, 1);
    sandbox.failWith({ kind: 'status', status: 503 });
    await publish(producer, serde, topics, [one]);
    await until('the give-up event', () => campaign.of(project).length === 1, 30_000);
    expect(campaign.of(project)[0]).toMatchObject({ status: 'auto_reply_failed', message: expect.stringContaining('gave up: HTTP 503') });
    expect(sandbox.count(one.event_id)).toBe(0);
  });
});
