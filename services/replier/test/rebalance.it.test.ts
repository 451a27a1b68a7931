import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Producer } from 'kafkajs';
import { pino } from 'pino';
import type { AvroSerde, Topics } from '@optline/kafka';
import type { SinchSandbox } from '@optline/sinch';
import { testConfig, uniqueName } from '@optline/test';
import { Replier } from '../src/index.ts';
import { countsOf, intent, publish, startRig, until, type CampaignReader, type Rig } from './support.ts';

// A replies partition moves to a second replier while Sinch keeps answering 429 (Retry-After):
// the first replier stops calling Sinch for the replies of the partitions it lost, so that only
// their next owner, after looking each one up, sends them. Before, the first kept re-sending
// (a 429 is a known "not accepted", so no look-up precedes its re-send) and a reply its new owner
// had already sent reached the phone twice. The sandbox logs each POST's User-Agent, which names
// the replier instance.

const PLAN = 'plan-rebalance';
const TOKEN = 'sinch-token-rebalance';
const config = testConfig({ topicNamespace: uniqueName('it-replier-rebalance') });
const logger = pino({ level: 'warn' });
let rig: Rig;
let topics: Topics;
let serde: AvroSerde;
let producer: Producer;
let sandbox: SinchSandbox;
let campaign: CampaignReader;
const repliers: Replier[] = [];

function newReplier(): Replier {
  const replier = new Replier({ config, logger, sinch: { apiUrl: sandbox.baseUrl, servicePlanId: PLAN, apiToken: TOKEN, timeoutMs: 1000, retry: { initialMs: 100, maxMs: 1000 } } });
  repliers.push(replier);
  return replier;
}

beforeAll(async () => {
  rig = await startRig(config, { servicePlanId: PLAN, apiToken: TOKEN });
  ({ topics, producer, serde, sandbox, campaign } = rig);
});

afterAll(async () => {
  await Promise.allSettled(repliers.map((r) => r.stop()));
  await rig?.stop();
});

it('a partition that moves while Sinch answers 429: its old owner stops calling Sinch, each reply is sent once', async () => {
  const project = uniqueName('p');
  const intents = Array.from({ length: 30 }, (_, i) => intent(project, i));
  const refs = new Set(intents.map((r) => r.event_id));
  sandbox.failWith({ kind: 'status', status: 429, retryAfterSeconds: 1 });
  await newReplier().start();
  await publish(producer, serde, topics, intents);
  const agents = () => [...new Set(sandbox.postLog.filter((p) => refs.has(p.clientReference!)).map((p) => p.userAgent!))];
  await until('the first replier calling Sinch for every reply', () => new Set(sandbox.postLog.filter((p) => refs.has(p.clientReference!)).map((p) => p.clientReference)).size === refs.size, 60_000);
  const [first] = agents();

  await newReplier().start();
  await until('the second replier calling Sinch for the replies of the partitions it took', () => agents().length === 2, 60_000);
  // A few Retry-After rounds with both running: the first must not call for what moved.
  await new Promise((r) => setTimeout(r, 4_000));
  const second = agents().find((a) => a !== first)!;
  const moved = new Set(sandbox.postLog.filter((p) => p.userAgent === second).map((p) => p.clientReference!));
  expect(moved.size).toBeGreaterThan(0);
  expect(moved.size).toBeLessThan(refs.size);
  const firstSecondCall = Math.min(...sandbox.postLog.filter((p) => p.userAgent === second).map((p) => p.at));
  const lateCalls = sandbox.postLog.filter((p) => p.userAgent === first && moved.has(p.clientReference!) && p.at >= firstSecondCall);
  expect(lateCalls, 'calls by the old owner for replies of partitions it lost, after their new owner called').toEqual([]);

  sandbox.heal();
  await until('30 campaign events', () => campaign.of(project).length >= 30, 60_000);
  await new Promise((r) => setTimeout(r, 2_000));
  expect(countsOf(sandbox.counts(), intents)).toEqual(intents.map(() => 1));
  expect(campaign.of(project)).toHaveLength(30);
}, 180_000);
