// kill -9 of the materializer process, in the middle of a window and in the middle of a flush:
// after a restart a read_committed consumer sees every expected event exactly once.

import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import type { Kafka, Producer } from 'kafkajs';
import { AvroSerde, createKafka, provision, type Topics } from '@optline/kafka';
import type { OptlineConfig } from '@optline/runtime';
import { testConfig, uniqueName } from '@optline/test';
import { windowStart } from '../src/windows.ts';
import { incoming, MaterializerProcess, MatcherStandIn, optOut, OutputReader } from './support.ts';

const WINDOW = 4000;
const GRACE = 500;

const cleanups: Array<() => Promise<unknown>> = [];
let midWindow: Setup;
let midFlush: Setup;

// Provisioned one after the other: concurrent topic creation trips kafkajs' waitForLeaders.
beforeAll(async () => {
  midWindow = await setup();
  midFlush = await setup();
});

afterAll(async () => {
  await Promise.allSettled(cleanups.map((c) => c()));
});

interface Setup {
  config: OptlineConfig;
  named: Topics;
  kafka: Kafka;
  serde: AvroSerde;
  matcher: MatcherStandIn;
  reader: OutputReader;
}

async function setup(): Promise<Setup> {
  const config = testConfig({ topicNamespace: uniqueName('it-mat-crash'), windowMs: WINDOW, windowGraceMs: GRACE });
  const { topics: named } = await provision(config);
  const kafka = createKafka(config);
  const serde = new AvroSerde(config.schemaRegistryUrl, named);
  const producer: Producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const reader = await new OutputReader(kafka, serde, named).start();
  cleanups.push(() => producer.disconnect(), () => reader.stop());
  return { config, named, kafka, serde, matcher: new MatcherStandIn(producer, serde, named), reader };
}

function run(s: Setup, env: Record<string, string> = {}): MaterializerProcess {
  const p = new MaterializerProcess(s.config, env);
  cleanups.push(() => p.stop());
  return p;
}

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

/** Every event_id of the topic for the namespace's outputs, counted. */
function counts(s: Setup, topic: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of s.reader.of(topic)) m.set(r.value!.event_id as string, (m.get(r.value!.event_id as string) ?? 0) + 1);
  return m;
}

async function expectExactlyOnce(expect: ExpectStatic, s: Setup, consent: number, campaign: number): Promise<void> {
  const { consent: c, campaign: k } = s.named;
  await s.reader.waitFor(`${consent} consent and ${campaign} campaign events`, () => s.reader.of(c.name).length >= consent && s.reader.of(k.name).length >= campaign, 60_000);
  // A duplicate would come from a second flush of the same window: wait past the next close.
  await new Promise((r) => setTimeout(r, WINDOW + GRACE + 1000));
  for (const [topic, n] of [[c.name, consent], [k.name, campaign]] as const) {
    const ids = counts(s, topic);
    expect(s.reader.of(topic), topic).toHaveLength(n);
    expect([...ids.values()].every((x) => x === 1), `${topic}: ${JSON.stringify([...ids])}`).toBe(true);
  }
}

// The two run side by side (own namespaces, groups and processes): most of their time is waiting
// for windows to close and for the dead process's group session to expire.
describe.concurrent('crash recovery of the materializer process', () => {
  it('kill -9 in the middle of a window: the restarted process emits each event once, skipping facts already flushed', async ({ expect }) => {
    const s = midWindow;
    const a = run(s);
    await a.waitForLog('started', (l) => l.msg === 'materializer started');
    const w1 = windowStart(Date.now(), WINDOW) + WINDOW;
    await sleepUntil(w1 + 50);
    // Partition 0 gets, in this order: a fact of window 1, one of window 2 (a matcher whose
    // clock runs ahead), another of window 1. Window 1's flush then commits the offset of the
    // window-2 fact and must leave a watermark saying the window-1 fact after it was flushed.
    await s.matcher.fact(optOut('crash1', '00421905000001', 'a', ['c1', 'c2'], ['sms', 'news']), w1 + 100, 0);
    const ahead = await s.matcher.fact(optOut('crash1', '00421905000002', 'b', ['c3'], ['sms']), w1 + WINDOW + 100, 0);
    await s.matcher.fact(incoming('crash1', '00421905000003', 'c', 'c4'), w1 + 200, 0);
    await s.matcher.fact(incoming('crash1', '00421905000004', 'x', 'c5'), w1 + 300, 3); // another partition
    const flushed = await a.waitForLog('window 1 flushed', (l) => l.msg === 'window flushed' && l.partition === 0, 20_000);
    expect(flushed).toMatchObject({ boundary: w1 + WINDOW, facts: 2, commitOffset: ahead.offset });
    // Window 2: one more fact, read, then the process dies before the window closes.
    const last = await s.matcher.fact(incoming('crash1', '00421905000005', 'd', 'c6'), Date.now(), 0);
    await a.waitForLog('the window-2 fact read', (l) => l.msg === 'facts read' && l.partition === 0 && (l.position as number) > last.offset, 10_000);
    expect(Date.now()).toBeLessThan(w1 + 2 * WINDOW + GRACE); // still inside window 2
    await a.kill();
    await s.reader.waitFor('window 1 consent events', () => s.reader.of(s.named.consent.name).length >= 4);

    const b = run(s);
    const claimed = await b.waitForLog('partition 0 claimed', (l) => l.msg === 'partition claimed' && l.partition === 0, 40_000);
    expect(claimed).toMatchObject({ committedOffset: ahead.offset, watermark: { flushedBefore: w1 + WINDOW, readTo: ahead.offset + 2 } });
    // a: 4 consent; b: 1 consent; c, x, d: 3 campaign.
    await expectExactlyOnce(expect, s, 5, 3);
  });

  it('kill -9 in the middle of a flush (events written, not committed): after the restart each event is there once', async ({ expect }) => {
    const s = midFlush;
    const phone = '00421905000011';
    const a = run(s, { OPTLINE_MATERIALIZER_TEST_PAUSE_IN_FLUSH_MS: '60000' });
    await a.waitForLog('started', (l) => l.msg === 'materializer started');
    await s.matcher.fact(optOut('crash2', phone, 'e', ['c1', 'c2', 'c3'], ['sms', 'news']), Date.now(), 1);
    await s.matcher.fact(incoming('crash2', phone, 'e', 'c1'), Date.now(), 1);
    await s.matcher.fact(incoming('crash2', '00421905000012', 'f', null), Date.now(), 4);
    await a.waitForLog('the flush paused before its commit', (l) => l.msg === 'test hook: pausing in flush before commit', 20_000);

    // The events are in the log but uncommitted: visible read_uncommitted, invisible read_committed.
    const dirty = await new OutputReader(s.kafka, s.serde, s.named, true).start();
    cleanups.push(() => dirty.stop());
    await dirty.waitFor('uncommitted consent events', () => dirty.of(s.named.consent.name).length >= 6, 20_000);
    expect(s.reader.of(s.named.consent.name)).toHaveLength(0);
    await a.kill();

    run(s);
    await expectExactlyOnce(expect, s, 6, 2);
    const notices = s.reader.of(s.named.consentTracked.name, 'crash2');
    expect(notices.map((r) => [r.key, r.value!.message_id])).toEqual([[phone, 'e']]);
  });
});
