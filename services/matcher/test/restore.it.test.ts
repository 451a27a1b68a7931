import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@optline/test';
import {
  closeEnv, dumpStores, factsOf, matcherEnv, phone, putSettings, readBlacklist, readFacts, sendCustomer, sendInbound, sendSent,
  settingsRecord, startMatcher, stateDir, stopMatcher, waitForState, type FactSeen, type MatcherEnv,
} from './support.ts';

const envs: MatcherEnv[] = [];
afterAll(async () => {
  for (const env of envs) await closeEnv(env);
});

// The same inputs go to two namespaces: one matcher restarts with its state folder wiped, the
// other runs throughout. Every input time is fixed, so their outputs must be equal.
const base = Date.now() - 60_000;
const script = { settings: settingsRecord(uniqueName('p-restore')), x: phone(), y: phone() };
const to = script.settings.dedicatedNumbers[0]!;

async function phase1(env: MatcherEnv): Promise<void> {
  const { settings: { project }, x, y } = script;
  await putSettings(env, script.settings);
  await sendCustomer(env, { project, customer_id: 'alice', phone: x, updated_at: base + 1 });
  await sendCustomer(env, { project, customer_id: 'bob', phone: x, updated_at: base + 2 });
  await sendSent(env, { project, customer_id: 'alice', phone: x, sent_at: base + 3 });
  await sendCustomer(env, { project, customer_id: 'yvonne', phone: y, updated_at: base + 4 });
  await waitForState(env, `${project}:${x}`, (s) => s?.profiles.length === 2 && s.profiles.some((p) => p.last_sent_at !== null));
  await waitForState(env, `${project}:${y}`, (s) => s?.profiles.length === 1);
  await sendInbound(env, { id: 'm1', from: x, to, body: 'STOP', received_at: base + 10 });
  await sendInbound(env, { id: 'm2', from: y, to, body: 'hello', received_at: base + 11 });
  await readFacts(env, (fs) => factsOf(fs, 'm1').length === 2 && factsOf(fs, 'm2').length === 1);
}

/** After the restart: retries of m1 and m2 (must have no effect), then new replies. */
async function phase2(env: MatcherEnv): Promise<FactSeen[]> {
  const { x, y } = script;
  await sendInbound(env, { id: 'm1', from: x, to, body: 'STOP', received_at: base + 10 });
  await sendInbound(env, { id: 'm3', from: x, to, body: 'stop', received_at: base + 20 });
  await sendInbound(env, { id: 'm4', from: x, to, body: 'START', received_at: base + 21 });
  await sendInbound(env, { id: 'm2', from: y, to, body: 'hello', received_at: base + 11 });
  await sendInbound(env, { id: 'm5', from: y, to, body: 'hi', received_at: base + 22 });
  return readFacts(env, (fs) => factsOf(fs, 'm4').length === 2 && factsOf(fs, 'm5').length === 1);
}

const sorted = (facts: FactSeen[]) => facts.map((f) => JSON.stringify([f.key, f.fields.message_id, f.type, f.fields])).sort();

describe('restart with the local state folder wiped', () => {
  it('restores the stores from their changelogs, and later results are identical to an uninterrupted matcher', async () => {
    const restarted = await matcherEnv('it-restore');
    const control = await matcherEnv('it-restore-control');
    envs.push(restarted, control);
    const dir = await stateDir(restarted);
    const controlDir = await stateDir(control);
    let matcher = await startMatcher(restarted, dir);
    const uninterrupted = await startMatcher(control, controlDir);
    await Promise.all([phase1(restarted), phase1(control)]);

    await stopMatcher(restarted, matcher);
    const lost = await dumpStores(dir);
    expect(Object.keys(lost['phone-state']!)).toHaveLength(2);
    expect(Object.keys(lost['customer-phone']!)).toHaveLength(3);
    await rm(dir, { recursive: true, force: true });

    matcher = await startMatcher(restarted, dir);
    expect((await matcher.metrics.restoredRecords.get()).values.reduce((n, v) => n + v.value, 0)).toBeGreaterThanOrEqual(5);
    await stopMatcher(restarted, matcher);
    expect(await dumpStores(dir)).toEqual(lost);

    matcher = await startMatcher(restarted, dir);
    const [after, expected] = await Promise.all([phase2(restarted), phase2(control)]);
    expect(sorted(after)).toEqual(sorted(expected));
    // The restored state at work: retries had no effect, the profiles and the blacklist were known.
    expect(factsOf(after, 'm1')).toHaveLength(2);
    expect(factsOf(after, 'm2')).toHaveLength(1);
    expect(factsOf(after, 'm3').find((f) => f.type === 'OptOutFact')!.fields.customer_ids).toEqual(['alice', 'bob']);
    expect(factsOf(after, 'm5')[0]!.fields.customer_id).toBe('yvonne');
    const key = `${script.settings.project}:${script.x}`;
    const entries = (await readBlacklist(restarted, (es) => es.filter((e) => e.key === key).length >= 3)).filter((e) => e.key === key);
    expect(entries.map((e) => e.entry?.message_id ?? null)).toEqual(['m1', 'm3', null]);
    const controlEntries = (await readBlacklist(control, (es) => es.filter((e) => e.key === key).length >= 3)).filter((e) => e.key === key);
    expect(entries).toEqual(controlEntries);

    await stopMatcher(restarted, matcher);
    await stopMatcher(control, uninterrupted);
    const [mine, theirs] = await Promise.all([dumpStores(dir), dumpStores(controlDir)]);
    expect(mine).toEqual(theirs);
  });
});
