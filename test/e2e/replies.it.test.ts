import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '@optline/sinch';
import { EventLog } from '../support/events.ts';
import { testConfig } from '../support/index.ts';
import { eventually, startSystem, type System } from '../support/system.ts';
import { canonical, randomPhone, Scenario, type Project } from './helpers.ts';

// Automatic replies end to end (SPEC.md Flows 5): Sinch callbacks into ingress, the matcher
// deciding and writing the intent in its transaction, the replier sending through a Sinch test
// server on loopback, the campaign events. Counts are the batches the test server accepted.

const REPLIES = [
  { kind: 'optOut', text: 'You are unsubscribed from Acme. Reply START to resubscribe.' },
  { kind: 'optOut', text: 'Vous êtes désinscrit des SMS Acme.', keywords: ['arret'] },
  { kind: 'optIn', text: 'Welcome back to Acme SMS.' },
  { kind: 'help', text: 'Acme: reply STOP to unsubscribe. Help: acme.example/help' },
];
const WITH_REPLIES = { trackIncoming: true, helpKeywords: ['help', 'info'], replies: REPLIES };
// After the matcher committed a message's other effects, its reply (same transaction) is on its
// way; this long without a batch means none was decided.
const SETTLE_MS = 2000;

let sys: System;
let log: EventLog;
let s: Scenario;

beforeAll(async () => {
  sys = await startSystem(testConfig(), { replies: {} });
  log = new EventLog(sys);
  await log.start();
  s = new Scenario(sys, log);
}, 180_000);

afterAll(async () => {
  await log?.stop();
  await sys?.stop();
});

const batchesTo = (phone: string): Batch[] => sys.sinch!.batches.filter((b) => b.to[0] === canonical(phone).slice(2));

async function replied(phone: string, n: number): Promise<Batch[]> {
  return eventually(`${n} batch(es) to ${phone}`, async () => (batchesTo(phone).length >= n ? batchesTo(phone) : undefined), 20_000);
}

async function blockedBy(project: Project, phone: string, messageId: string): Promise<void> {
  await eventually(`${phone} blocked by ${messageId}`, async () => {
    const r = await s.blacklist(project, phone);
    return r.status === 200 && r.body.message_id === messageId ? true : undefined;
  });
}

describe('replies', () => {
  it('STOP: exactly one confirmation, from the dedicated number to the phone, tracked as auto_reply_sent', async () => {
    const project = await s.project(WITH_REPLIES);
    const phone = randomPhone();
    const stop = await s.reply(project, phone, 'STOP');
    // Sinch retries a callback it got no answer for: same id, still one reply.
    await s.reply(project, phone, 'STOP', stop.id);
    const [batch] = await replied(phone, 1);
    expect(batch).toMatchObject({ from: project.dedicated, to: [canonical(phone).slice(2)], body: REPLIES[0]!.text });
    await sleep(SETTLE_MS);
    expect(batchesTo(phone)).toHaveLength(1);
    const event = await eventually('auto_reply_sent', async () => s.campaign(project).find((e) => e.status === 'auto_reply_sent'));
    expect(event).toMatchObject({ message: REPLIES[0]!.text, sender: project.dedicated, recipient: canonical(phone), action_type: 'sms' });
    expect(sys.sinch!.count(batch!.client_reference!)).toBe(1);
  });

  it('arrêt gets the French confirmation; START the opt-in one', async () => {
    const project = await s.project(WITH_REPLIES);
    const phone = randomPhone();
    await s.reply(project, phone, 'arrêt');
    expect((await replied(phone, 1))[0]!.body).toBe(REPLIES[1]!.text);
    await s.reply(project, phone, 'START');
    expect((await replied(phone, 2))[1]!.body).toBe(REPLIES[2]!.text);
  });

  it('HELP: the help text and no blacklist entry', async () => {
    const project = await s.project({ ...WITH_REPLIES, trackIncoming: false });
    const phone = randomPhone();
    await s.reply(project, phone, 'help');
    expect((await replied(phone, 1))[0]!.body).toBe(REPLIES[3]!.text);
    expect((await s.blacklist(project, phone)).status).toBe(404);
  });

  it('a second STOP within 24 h gets no second confirmation', async () => {
    const project = await s.project(WITH_REPLIES);
    const phone = randomPhone();
    await s.reply(project, phone, 'STOP');
    await replied(phone, 1);
    const second = await s.reply(project, phone, 'stop please');
    await blockedBy(project, phone, second.id);
    await sleep(SETTLE_MS);
    expect(batchesTo(phone)).toHaveLength(1);
  });

  it('a project without replies sends none', async () => {
    const project = await s.project({ helpKeywords: ['help'] });
    const phone = randomPhone();
    const stop = await s.reply(project, phone, 'STOP');
    await blockedBy(project, phone, stop.id);
    await s.reply(project, phone, 'HELP');
    await eventually('HELP tracked', async () => s.campaign(project).find((e) => e.message === 'HELP'));
    await sleep(SETTLE_MS);
    expect(batchesTo(phone)).toHaveLength(0);
  });
});
