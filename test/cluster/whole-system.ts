import { expect } from 'vitest';
import { EventLog } from '../support/events.ts';
import { eventually, INGRESS_AUTH, startSystem, type System } from '../support/system.ts';
import { leaderOfMost, type PrivateStack } from '../support/private-stack.ts';
import { canonical, Scenario, type Project } from '../e2e/helpers.ts';
import { recordsOfKey } from './forensics.ts';
import { SinchLikeLoad } from './load.ts';

// The whole system (ingress, matcher, materializer, replier, API with its blacklist and settings
// tails) under Sinch-style load while the node leading most partitions (of every topic, the
// group and transaction coordinators' included) is killed and restarted: afterwards each
// accepted callback has exactly its effects, once.

export interface LeaderMovePlan {
  perSecond: number;
  /** Every n-th callback is the one STOP of a phone with one profile; the others say hello. */
  stopEvery: number;
  /** Rounds of kill -9 of the leader of most partitions, then its restart. */
  moves: number;
  downMs: number;
  /** Load after each restart before the next round (or the end). */
  settleMs: number;
}

const REPLY = 'You are unsubscribed. Reply START to resubscribe.';
const REPLY_AFTER = 'Unsubscribed (settings changed after the leader moved).';
const say = (line: string) => process.stderr.write(`[cluster system] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stopPhone = (k: number) => `+421 905 9${String(k).padStart(5, '0')}`;

export async function wholeSystemThroughLeaderMoves(stack: PrivateStack, plan: LeaderMovePlan): Promise<void> {
  process.env.OPTLINE_INGRESS_PUBLISH_TIMEOUT = '2s';
  const sys = await startSystem(stack.config, { replies: {}, logLevel: process.env.OPTLINE_LOG_LEVEL ?? 'fatal' });
  const log = new EventLog(sys);
  try {
    await log.start();
    await run(stack, sys, new Scenario(sys, log), plan);
  } finally {
    await log.stop();
    await sys.stop();
  }
}

async function run(stack: PrivateStack, sys: System, s: Scenario, plan: LeaderMovePlan): Promise<void> {
  const project = await s.project({ replies: [{ kind: 'optOut', text: REPLY }] });
  const seconds = 3 + (plan.moves * (plan.downMs + plan.settleMs)) / 1000;
  const stops = Math.ceil((plan.perSecond * seconds) / plan.stopEvery) + 5;
  // One more phone for after the moves; indexed first, so each STOP's consent names its profile.
  const phones = Array.from({ length: stops + 1 }, (_, k) => stopPhone(k));
  await Promise.all(phones.map((p, k) => s.profile(project, `cust-${k}`, p)));
  await Promise.all(phones.map((p, k) => s.indexed(project, p, `cust-${k}`)));
  say(`${phones.length} phones with a profile indexed`);

  const stopOf = new Map<string, number>(); // callback id -> phone index
  const load = new SinchLikeLoad(`${sys.ingressUrl}/v1/sinch/inbound`, plan.perSecond, {
    headers: { authorization: `Basic ${Buffer.from(INGRESS_AUTH).toString('base64')}` },
    message: (id, seq) => {
      const k = Math.floor(seq / plan.stopEvery);
      if (seq % plan.stopEvery === 0 && k < stops) {
        stopOf.set(id, k);
        return { from: canonical(phones[k]!).slice(2), to: project.dedicated, body: 'STOP' };
      }
      return { from: `421905${100_000 + (seq % 1000)}`, to: project.dedicated, body: `hello ${id}` };
    },
  });
  load.start();
  await sleep(3000);
  for (let round = 1; round <= plan.moves; round++) {
    const node = await leaderOfMost(stack.kafka);
    const killedAt = Date.now();
    stack.kill(node);
    await sleep(plan.downMs);
    await stack.restart();
    await sleep(plan.settleMs);
    const r = load.report(killedAt, Date.now());
    say(`round ${round}: node ${node} (leader of most partitions) killed for ${plan.downMs} ms: longest pause without a 2xx ${r.longestPauseMs} ms, ${r.answers503} answers 503, ${r.other} other failures, ${r.accepted} accepted`);
    expect(r.longestPauseMs).toBeLessThan(15_000);
    expect(r.other).toBe(0);
  }
  await load.stop();
  const accepted = load.acceptedIds();
  const stopsAccepted = accepted.filter((id) => stopOf.has(id)).map((id) => stopOf.get(id)!);
  say(`${accepted.length} callbacks accepted (${stopsAccepted.length} STOPs), ${load.answers.length - accepted.length} answers were not 2xx`);
  expect(stopsAccepted.length).toBeGreaterThan(2);

  // The settings tails moved too: a change made now applies to the next message.
  await s.settings(project, { replies: [{ kind: 'optOut', text: REPLY_AFTER }] });
  const last = phones[stops]!;
  await s.reply(project, last, 'STOP');

  await allEffects(s, sys, project, { accepted, stopOf, phones, stopsAccepted, last });
}

interface Expected {
  accepted: string[];
  stopOf: Map<string, number>;
  phones: string[];
  stopsAccepted: number[];
  last: string;
}

async function allEffects(s: Scenario, sys: System, project: Project, e: Expected): Promise<void> {
  const incoming = () => s.campaign(project).filter((c) => c.status === 'incoming_message');
  const helloCount = (id: string) => incoming().filter((c) => c.message === `hello ${id}`).length;
  const stopCount = (k: number) => incoming().filter((c) => c.message === 'STOP' && c.sender === canonical(e.phones[k]!)).length;
  const hellos = e.accepted.filter((id) => !e.stopOf.has(id));
  await eventually('every accepted callback tracked', async () => (hellos.every((id) => helloCount(id) > 0) && e.stopsAccepted.every((k) => stopCount(k) > 0) ? true : undefined), 120_000, 500).catch((err) => {
    const missing = [...hellos.filter((id) => helloCount(id) === 0), ...e.stopsAccepted.filter((k) => stopCount(k) === 0).map((k) => `STOP ${k}`)];
    say(`not tracked: ${missing.length} (${missing.slice(0, 20).join(' ')}); the reader holds ${s.log.records.length} records`);
    throw err;
  });
  const batchesTo = (phone: string) => sys.sinch!.batches.filter((b) => b.to[0] === canonical(phone).slice(2));
  const sentTo = (phone: string) => s.campaign(project).filter((c) => c.status === 'auto_reply_sent' && c.recipient === canonical(phone)).length;
  await eventually('every STOP confirmed, the reply and the consent tracked', async () => {
    const consent = s.consent(project);
    return e.stopsAccepted.every((k) => batchesTo(e.phones[k]!).length > 0 && sentTo(e.phones[k]!) > 0 && consent.some((c) => c.customer_id === `cust-${k}`)) ? true : undefined;
  }, 120_000, 500).catch((err) => {
    // Which effect is missing says which service to look at (matcher, replier or materializer).
    const consent = s.consent(project);
    const short = e.stopsAccepted.map((k) => ({ k, batches: batchesTo(e.phones[k]!).length, sent: sentTo(e.phones[k]!), consent: consent.filter((c) => c.customer_id === `cust-${k}`).length }))
      .filter((x) => x.batches === 0 || x.sent === 0 || x.consent === 0);
    say(`STOPs short of an effect: ${short.map((x) => `${x.k} (Sinch batches ${x.batches}, auto_reply_sent ${x.sent}, consent ${x.consent})`).join(', ')}`);
    throw err;
  });
  // A duplicate would come from a retried callback or a transaction replayed after the move:
  // give it a window and its grace (and more) to show.
  await sleep(6000);

  const dupHello = hellos.filter((id) => helloCount(id) !== 1).map((id) => `${id}: ${helloCount(id)}`);
  const consent = s.consent(project);
  const consentOf = (k: number) => consent.filter((c) => c.customer_id === `cust-${k}` && c.action === 'reject');
  // Each as `phone index: count`, so a failure says whether an effect was missing or doubled.
  const notOnce = (count: (k: number) => number) => e.stopsAccepted.filter((k) => count(k) !== 1).map((k) => `${k}: ${count(k)}`);
  const dupStop = notOnce(stopCount);
  const wrongConsent = notOnce((k) => consentOf(k).length);
  const wrongReplies = notOnce((k) => batchesTo(e.phones[k]!).length);
  const wrongSent = notOnce((k) => sentTo(e.phones[k]!));
  say(`effects: incoming_message not exactly once for ${dupHello.length + dupStop.length} callbacks, consent not exactly once for ${wrongConsent.length} STOPs, Sinch batches not exactly once for ${wrongReplies.length}, auto_reply_sent not once for ${wrongSent.length}; the test's reader got ${s.log.redelivered} records again after a rejoin (counted once)`);
  expect(dupHello).toEqual([]);
  expect(dupStop).toEqual([]);
  expect(wrongConsent).toEqual([]);
  expect(wrongReplies).toEqual([]);
  expect(wrongSent).toEqual([]);
  const ids = [...consent, ...s.campaign(project)].map((c) => c.event_id);
  expect(ids.length - new Set(ids).size, 'events with the same event_id').toBe(0);

  // The API's blacklist tail: every STOP refuses a send, and the materializer marked it tracked.
  for (const k of e.stopsAccepted) {
    const check = await s.sendCheck(project, e.phones[k]!, `cust-${k}`);
    if (check.allowed) {
      // Which side is wrong: the topic (never written) or the API's copy (a record not read).
      const key = `${project.name}:${canonical(e.phones[k]!)}`;
      say(`send check allowed ${e.phones[k]} (${key}); on the topic: ${(await recordsOfKey(sys.kafka, sys.codec, sys.topics.blacklist.name, 'BlacklistEntry', key)).join('; ')}`);
      say(`the API's blacklist route: ${JSON.stringify(await s.blacklist(project, e.phones[k]!))}; 10 s later the send check says ${JSON.stringify(await sleep(10_000).then(() => s.sendCheck(project, e.phones[k]!, `cust-${k}`)))}`);
    }
    expect(check, e.phones[k]).toMatchObject({ allowed: false });
  }
  await eventually('every STOP consent tracked on the blacklist', async () => {
    for (const k of e.stopsAccepted) if ((await s.blacklist(project, e.phones[k]!)).body.status !== 'CONSENT_TRACKED') return undefined;
    return true;
  }, 60_000, 500);
  const [after] = await eventually('the STOP after the moves confirmed', async () => (batchesTo(e.last).length ? batchesTo(e.last) : undefined), 30_000);
  expect(after!.body).toBe(REPLY_AFTER);
}
