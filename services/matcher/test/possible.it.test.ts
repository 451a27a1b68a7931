// Possible opt-outs through the matcher (SPEC.md Flows 7), against the real broker: with the
// default `flag` a reply that reads as a request to stop goes to the review queue with its
// reason and blocks nothing; with `blacklist` it blacklists at once (source keyword, reason
// recorded); with `off` nothing happens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avroType } from '@optline/schemas';
import { collect, uniqueName } from '@optline/test';
import { possibleOptOutId, type PossibleOptOutRecord } from '@optline/core';
import {
  closeEnv, factsOf, lastEntry, matcherEnv, phone, putSettings, readBlacklist, readFacts, sendInbound, settingsRecord, startMatcher, stateDir,
  waitForState, type MatcherEnv,
} from './support.ts';

let env: MatcherEnv;
const queueType = avroType('PossibleOptOut');

beforeAll(async () => {
  env = await matcherEnv('it-possible');
  await startMatcher(env, await stateDir(env));
});

afterAll(async () => {
  await closeEnv(env);
});

async function project(possibleOptOuts: 'flag' | 'blacklist' | 'off') {
  const settings = settingsRecord(uniqueName('p'), { possibleOptOuts });
  await putSettings(env, settings);
  return { project: settings.project, to: settings.dedicatedNumbers[0]! };
}

async function readQueue(done: (items: Array<{ key: string; item: PossibleOptOutRecord }>) => boolean) {
  const decode = (r: { key: string | null; value: Buffer | null }) => ({ key: r.key!, item: { ...(queueType.fromBuffer(r.value!.subarray(5)) as PossibleOptOutRecord) } });
  return (await collect(env.kafka, env.topics.possibleOptOuts.name, (rs) => done(rs.map(decode)), 30_000)).map(decode);
}

describe('possible opt-outs', () => {
  it('flag (default): "please stop texting me" is one item in the review queue with its reason, and no blacklist entry', async () => {
    const { project: p, to } = await project('flag');
    const from = phone();
    await sendInbound(env, { id: 'm-please', from, to, body: 'please stop texting me' });
    await sendInbound(env, { id: 'm-please', from, to, body: 'please stop texting me' }); // Sinch retries
    await sendInbound(env, { id: 'm-marker', from, to, body: 'STOP' });
    // The opt-out after it proves the first reply was processed: it came first on the partition.
    await readFacts(env, (fs) => factsOf(fs, 'm-marker').some((f) => f.type === 'OptOutFact'));
    const items = (await readQueue((is) => is.some((i) => i.item.project === p))).filter((i) => i.item.project === p);
    const id = possibleOptOutId(p, 'm-please');
    expect(items).toEqual([{
      key: `${p}:${id}`,
      item: {
        id, project: p, phone: from, message_id: 'm-please', received_at: expect.any(Number), body: 'please stop texting me', sender: from, recipient: to,
        reason: '"please stop" matches the en phrase rule "@please stop"', rule: 'phrase', language: 'en', evidence: 'please stop', keyword: null,
      },
    }]);
    // Until the STOP, nothing blocked the phone: its only blacklist record is the STOP's.
    const entries = (await readBlacklist(env, (es) => es.some((e) => e.key === `${p}:${from}`))).filter((e) => e.key === `${p}:${from}`);
    expect(entries.map((e) => e.entry?.message_id)).toEqual(['m-marker']);
  });

  it('blacklist: the same reply blacklists at once, source keyword, with the reason', async () => {
    const { project: p, to } = await project('blacklist');
    const from = phone();
    await sendInbound(env, { id: 'm-now', from, to, body: 'please stop texting me' });
    const entry = lastEntry(await readBlacklist(env, (es) => es.some((e) => e.key === `${p}:${from}`)), `${p}:${from}`);
    expect(entry?.entry).toMatchObject({
      project: p, phone: from, status: 'BLOCKED', source: 'keyword', keyword: '', message_id: 'm-now',
      reason: 'possible opt-out: "please stop" matches the en phrase rule "@please stop"',
    });
    const facts = factsOf(await readFacts(env, (fs) => factsOf(fs, 'm-now').some((f) => f.type === 'OptOutFact')), 'm-now');
    expect(facts.find((f) => f.type === 'OptOutFact')!.fields).toMatchObject({ body: 'please stop texting me', categories: ['sms_marketing'] });
  });

  it('off: the reply is only an incoming message', async () => {
    const { project: p, to } = await project('off');
    const from = phone();
    await sendInbound(env, { id: 'm-off', from, to, body: 'please stop texting me' });
    await waitForState(env, `${p}:${from}`, (s) => s !== null && Object.hasOwn(s.processed, 'm-off'));
    const state = await waitForState(env, `${p}:${from}`, (s) => s !== null);
    expect(state?.blacklist).toBeNull();
    const facts = factsOf(await readFacts(env, (fs) => factsOf(fs, 'm-off').length >= 1), 'm-off');
    expect(facts.map((f) => f.type)).toEqual(['IncomingMessageFact']);
  });
});
