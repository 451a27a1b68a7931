import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@optline/test';
import {
  closeEnv, factsOf, lastEntry, matcherEnv, phone, putSettings, readBlacklist, readDeadLetters, readFacts, sendConsentAccept, sendConsentTracked, sendCustomer,
  sendInbound, sendSent, settingsRecord, startMatcher, stateDir, waitForState, type MatcherEnv,
} from './support.ts';
import type { Matcher } from '../src/index.ts';

let env: MatcherEnv;
let matcher: Matcher;
const t0 = Date.now() - 3_600_000;

beforeAll(async () => {
  env = await matcherEnv('it-matcher');
  matcher = await startMatcher(env, await stateDir(env));
});

afterAll(async () => {
  await closeEnv(env);
});

/** A project with its own dedicated number; profiles on `phone` with the given activity. */
async function projectWithProfiles(overrides: Parameters<typeof settingsRecord>[1] = {}) {
  const settings = settingsRecord(uniqueName('p'), overrides);
  await putSettings(env, settings);
  return { project: settings.project, to: settings.dedicatedNumbers[0]!, settings };
}

describe('opt-out', () => {
  it('STOP from a phone shared by two profiles: both in the opt-out fact, the one that got the last SMS attributed; the blacklist entry is on the topic by the time any fact is', async () => {
    const { project, to } = await projectWithProfiles();
    const from = phone();
    await sendCustomer(env, { project, customer_id: 'alice', phone: from, updated_at: t0 + 1000 });
    await sendCustomer(env, { project, customer_id: 'bob', phone: from, updated_at: t0 + 2000 }); // updated more recently
    await sendSent(env, { project, customer_id: 'alice', phone: from, sent_at: t0 + 3000 }); // but alice got the last SMS
    await waitForState(env, `${project}:${from}`, (s) => s?.profiles.length === 2 && s.profiles.some((p) => p.last_sent_at !== null));

    await sendInbound(env, { id: 'm-stop-1', from, to, body: 'STOP' });
    const facts = factsOf(await readFacts(env, (fs) => factsOf(fs, 'm-stop-1').length >= 2), 'm-stop-1');
    // Read after the first fact was visible: the entry committed with it must already be there.
    const entry = lastEntry(await readBlacklist(env, (es) => es.some((e) => e.key === `${project}:${from}`), 5000), `${project}:${from}`);
    expect(entry?.entry).toMatchObject({ project, phone: from, status: 'BLOCKED', keyword: 'stop', message_id: 'm-stop-1' });

    expect(facts.map((f) => f.type).sort()).toEqual(['IncomingMessageFact', 'OptOutFact']);
    const optOut = facts.find((f) => f.type === 'OptOutFact')!;
    expect(optOut.key).toBe(`${project}:${from}`);
    expect(optOut.fields).toMatchObject({ project, phone: from, keyword: 'stop', body: 'STOP', sender: from, recipient: to, categories: ['sms_marketing'] });
    expect(optOut.fields.customer_ids).toEqual(['alice', 'bob']);
    expect(facts.find((f) => f.type === 'IncomingMessageFact')!.fields.customer_id).toBe('alice');
  });

  it('12 profiles on one phone: the 10 most recently active are unsubscribed', async () => {
    const { project, to } = await projectWithProfiles();
    const from = phone();
    const ids = Array.from({ length: 12 }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
    for (const [i, id] of ids.entries()) await sendCustomer(env, { project, customer_id: id, phone: from, updated_at: t0 + i * 1000 });
    // The two oldest profiles got SMS: a send makes them the most recently active.
    await sendSent(env, { project, customer_id: 'c01', phone: from, sent_at: t0 + 60_000 });
    await sendSent(env, { project, customer_id: 'c02', phone: from, sent_at: t0 + 50_000 });
    await waitForState(env, `${project}:${from}`, (s) => s?.profiles.length === 12 && s.profiles.filter((p) => p.last_sent_at !== null).length === 2);

    await sendInbound(env, { id: 'm-twelve', from, to, body: 'Stop please' });
    const [optOut] = factsOf(await readFacts(env, (fs) => factsOf(fs, 'm-twelve').some((f) => f.type === 'OptOutFact')), 'm-twelve').filter((f) => f.type === 'OptOutFact');
    expect(optOut!.fields.customer_ids).toEqual(['c01', 'c02', 'c12', 'c11', 'c10', 'c09', 'c08', 'c07', 'c06', 'c05']);
  });

  it('a changed phone leaves the old phone index; a deleted profile leaves it too', async () => {
    const { project, to } = await projectWithProfiles();
    const [oldPhone, newPhone] = [phone(), phone()];
    await sendCustomer(env, { project, customer_id: 'mover', phone: oldPhone, updated_at: t0 });
    await sendCustomer(env, { project, customer_id: 'stayer', phone: oldPhone, updated_at: t0 });
    await sendCustomer(env, { project, customer_id: 'leaver', phone: oldPhone, updated_at: t0 });
    await waitForState(env, `${project}:${oldPhone}`, (s) => s?.profiles.length === 3);
    await sendCustomer(env, { project, customer_id: 'mover', phone: newPhone, updated_at: t0 + 1000 });
    await sendCustomer(env, { project, customer_id: 'leaver', phone: oldPhone, updated_at: t0 + 1000, deleted: true });
    await waitForState(env, `${project}:${newPhone}`, (s) => s?.profiles.length === 1);
    await waitForState(env, `${project}:${oldPhone}`, (s) => s?.profiles.length === 1);

    await sendInbound(env, { id: 'm-old', from: oldPhone, to, body: 'stop' });
    await sendInbound(env, { id: 'm-new', from: newPhone, to, body: 'stop' });
    const facts = await readFacts(env, (fs) => ['m-old', 'm-new'].every((id) => factsOf(fs, id).some((f) => f.type === 'OptOutFact')));
    expect(factsOf(facts, 'm-old').find((f) => f.type === 'OptOutFact')!.fields.customer_ids).toEqual(['stayer']);
    expect(factsOf(facts, 'm-new').find((f) => f.type === 'OptOutFact')!.fields.customer_ids).toEqual(['mover']);
  });

  it('a duplicate message id has one effect', async () => {
    const { project, to } = await projectWithProfiles();
    const from = phone();
    await sendInbound(env, { id: 'm-dup', from, to, body: 'STOP' });
    await sendInbound(env, { id: 'm-dup', from, to, body: 'STOP' }); // Sinch's retry of the same callback
    await sendInbound(env, { id: 'm-after-dup', from, to, body: 'thanks' });
    const facts = await readFacts(env, (fs) => factsOf(fs, 'm-after-dup').length >= 1);
    expect(factsOf(facts, 'm-dup').map((f) => f.type).sort()).toEqual(['IncomingMessageFact', 'OptOutFact']);
    const entries = await readBlacklist(env, (es) => es.some((e) => e.key === `${project}:${from}`), 5000);
    expect(entries.filter((e) => e.key === `${project}:${from}`)).toHaveLength(1);
    expect((await matcher.metrics.duplicates.get()).values[0]?.value).toBeGreaterThanOrEqual(1);
  });
});

describe('settings', () => {
  it('a settings change applies to the messages processed after it is stored', async () => {
    const { project, to, settings } = await projectWithProfiles({ keywords: ['stop'] });
    const from = phone();
    await sendInbound(env, { id: 'm-before-change', from, to, body: 'arret' });
    await readFacts(env, (fs) => factsOf(fs, 'm-before-change').length >= 1);
    await putSettings(env, { ...settings, version: 2, keywords: ['stop', 'arret'] });
    await sendInbound(env, { id: 'm-after-change', from, to, body: 'arrêt' });
    const facts = await readFacts(env, (fs) => factsOf(fs, 'm-after-change').length >= 2);
    expect(factsOf(facts, 'm-before-change').map((f) => f.type)).toEqual(['IncomingMessageFact']);
    expect(factsOf(facts, 'm-after-change').find((f) => f.type === 'OptOutFact')?.fields.keyword).toBe('arret');
  });
});

describe('clearing the blacklist', () => {
  it('an opt-in keyword clears the entry (tombstone) and records an opt-in fact with the profiles', async () => {
    const { project, to } = await projectWithProfiles();
    const from = phone();
    await sendCustomer(env, { project, customer_id: 'carol', phone: from, updated_at: t0 });
    await waitForState(env, `${project}:${from}`, (s) => s?.profiles.length === 1);
    await sendInbound(env, { id: 'm-optout', from, to, body: 'STOP' });
    await sendInbound(env, { id: 'm-optin', from, to, body: 'Start' });
    const facts = await readFacts(env, (fs) => factsOf(fs, 'm-optin').some((f) => f.type === 'OptInFact'));
    const entries = (await readBlacklist(env, (es) => es.filter((e) => e.key === `${project}:${from}`).length >= 2, 5000)).filter((e) => e.key === `${project}:${from}`);
    expect(entries.map((e) => e.entry?.message_id ?? null)).toEqual(['m-optout', null]);
    expect(factsOf(facts, 'm-optin').find((f) => f.type === 'OptInFact')!.fields).toMatchObject({ keyword: 'start', customer_ids: ['carol'], categories: ['sms_marketing'], body: 'Start' });
  });

  it('a consent accept for the phone (any accepted phone format) clears the entry (tombstone)', async () => {
    const { project, to } = await projectWithProfiles();
    const from = phone();
    const key = `${project}:${from}`;
    await sendInbound(env, { id: 'm-block', from, to, body: 'STOP', received_at: Date.now() });
    await readBlacklist(env, (es) => es.some((e) => e.key === key));
    await sendConsentAccept(env, { project, customer_id: 'dave', phone: from.replace(/^00/, '+'), timestamp: Date.now() + 1000 });
    const entries = (await readBlacklist(env, (es) => es.filter((e) => e.key === key).length >= 2)).filter((e) => e.key === key);
    expect(entries.map((e) => e.entry?.status ?? null)).toEqual(['BLOCKED', null]);
    const state = await waitForState(env, key, (s) => s !== null && s.blacklist === null);
    expect(state?.blacklist).toBeNull();
  });
});

describe('consent tracked (the materializer tells, the matcher writes)', () => {
  it('moves the entry to CONSENT_TRACKED while it is BLOCKED by that opt-out; after an opt-in, or for an older opt-out, nothing', async () => {
    const { project, to } = await projectWithProfiles();
    const [tracked, optedIn] = [phone(), phone()];
    const now = Date.now();
    await sendInbound(env, { id: 'm-ct-1', from: tracked, to, body: 'STOP' });
    await sendInbound(env, { id: 'm-ct-2', from: optedIn, to, body: 'STOP' });
    await sendInbound(env, { id: 'm-ct-3', from: optedIn, to, body: 'START' });
    await waitForState(env, `${project}:${optedIn}`, (s) => s !== null && s.blacklist === null && Object.hasOwn(s.processed, 'm-ct-3'));
    await sendConsentTracked(env, { project, phone: tracked, message_id: 'm-old', tracked_at: now });
    await sendConsentTracked(env, { project, phone: tracked, message_id: 'm-ct-1', tracked_at: now });
    await sendConsentTracked(env, { project, phone: optedIn, message_id: 'm-ct-2', tracked_at: now });
    await sendConsentTracked(env, { project, phone: tracked, message_id: 'm-ct-1', tracked_at: now + 1 }); // a flush redone after a crash

    const state = await waitForState(env, `${project}:${tracked}`, (s) => s?.blacklist?.status === 'CONSENT_TRACKED');
    expect(state?.blacklist).toMatchObject({ message_id: 'm-ct-1', updated_at: now });
    // A marker after the notices: once its fact is out, every notice before it was applied.
    await sendInbound(env, { id: 'm-ct-marker', from: optedIn, to, body: 'hello' });
    await readFacts(env, (fs) => factsOf(fs, 'm-ct-marker').length >= 1);
    const count = (es: Awaited<ReturnType<typeof readBlacklist>>, p: string) => es.filter((e) => e.key === `${project}:${p}`).length;
    const entries = await readBlacklist(env, (es) => count(es, tracked) >= 2 && count(es, optedIn) >= 2);
    expect(entries.filter((e) => e.key === `${project}:${tracked}`).map((e) => e.entry?.status ?? null)).toEqual(['BLOCKED', 'CONSENT_TRACKED']);
    expect(entries.filter((e) => e.key === `${project}:${optedIn}`).map((e) => e.entry?.status ?? null)).toEqual(['BLOCKED', null]);
  });
});

describe('dead letters', () => {
  it('a message to a dedicated number no project owns, and an undecodable record, go to the dead-letter topic with the reason', async () => {
    const from = phone();
    await sendInbound(env, { id: 'm-nobody', from, to: '999999', body: 'STOP' });
    await env.producer.send({ topic: env.topics.inbound.name, messages: [{ key: from, value: Buffer.from('not avro at all') }] });
    const dead = await readDeadLetters(env, (rs) => rs.filter((r) => r.key === from).length >= 2);
    const mine = dead.filter((r) => r.key === from);
    expect(mine[0]!.reason).toMatchObject({ rule: 'unknown_dedicated_number', field: 'to' });
    expect(mine[0]!.reason.message).toContain('999999');
    expect(mine[0]!.reason.source).toMatch(new RegExp(`^${env.topics.inbound.name.replace(/\./g, '\\.')}/\\d+@\\d+$`));
    expect(mine[1]!.reason).toMatchObject({ rule: 'undecodable', field: 'value' });
    expect(mine[1]!.value?.toString()).toBe('not avro at all');
  });
});
