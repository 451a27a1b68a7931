import { afterAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@optline/test';
import type { Matcher } from '../src/index.ts';
import {
  closeEnv, factsOf, matcherEnv, phonesCovering, putSettings, readBlacklist, readFacts, sendCustomer, sendInbound, sendSent, settingsRecord,
  startMatcher, stateDir, stopMatcher, waitForState, type FactSeen, type MatcherEnv,
} from './support.ts';

let env: MatcherEnv | undefined;
afterAll(async () => {
  await closeEnv(env);
});

const PARTITIONS = 3;
const ALL_TASKS = ['customers', 'consent', 'phones'].flatMap((g) => Array.from({ length: PARTITIONS }, (_, p) => `${g}-${p}`)).sort();

async function until(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function expectNoDuplicates(facts: FactSeen[]): void {
  const seen = facts.map((f) => `${f.fields.message_id}/${f.type}`);
  expect(seen.length).toBe(new Set(seen).size);
}

describe('two matcher instances in one consumer group', () => {
  it('split the tasks, and results stay correct, also when one of them leaves', async () => {
    env = await matcherEnv('it-scaling', PARTITIONS);
    const settings = settingsRecord(uniqueName('p-scale'));
    const { project } = settings;
    const to = settings.dedicatedNumbers[0]!;
    await putSettings(env, settings);
    const a: Matcher = await startMatcher(env, await stateDir(env));
    const b: Matcher = await startMatcher(env, await stateDir(env));
    await until('tasks split between both', () => a.owned().length > 0 && b.owned().length > 0 && [...a.owned(), ...b.owned()].sort().join() === ALL_TASKS.join());
    expect(a.owned().filter((t) => b.owned().includes(t))).toEqual([]);
    // Each instance owns some phone partitions: both take part in deciding.
    expect(a.owned().some((t) => t.startsWith('phones-')) && b.owned().some((t) => t.startsWith('phones-'))).toBe(true);

    const phones = phonesCovering(PARTITIONS, 2);
    for (const [i, p] of phones.entries()) {
      await sendCustomer(env, { project, customer_id: `old-${i}`, phone: p, updated_at: 1000 });
      await sendCustomer(env, { project, customer_id: `new-${i}`, phone: p, updated_at: 2000 });
      await sendSent(env, { project, customer_id: `old-${i}`, phone: p, sent_at: 3000 });
    }
    for (const [i, p] of phones.entries()) {
      await waitForState(env, `${project}:${p}`, (s) => s?.profiles.length === 2 && s.profiles.some((x) => x.last_sent_at !== null));
      await sendInbound(env, { id: `stop-${i}`, from: p, to, body: 'STOP' });
      await sendInbound(env, { id: `stop-${i}`, from: p, to, body: 'STOP' });
    }
    let facts = await readFacts(env, (fs) => phones.every((_, i) => factsOf(fs, `stop-${i}`).length >= 2));
    for (const i of phones.keys()) {
      const optOut = factsOf(facts, `stop-${i}`).find((f) => f.type === 'OptOutFact')!;
      expect(optOut.fields.customer_ids).toEqual([`old-${i}`, `new-${i}`]);
      expect(factsOf(facts, `stop-${i}`).find((f) => f.type === 'IncomingMessageFact')!.fields.customer_id).toBe(`old-${i}`);
    }

    // B leaves: A takes its tasks over, restoring B's state from the changelogs.
    await stopMatcher(env, b);
    await until('A owns every task', () => a.owned().sort().join() === ALL_TASKS.join());
    await a.ready();
    for (const [i, p] of phones.entries()) {
      await sendInbound(env, { id: `stop-${i}`, from: p, to, body: 'STOP' }); // a late retry: no effect
      await sendInbound(env, { id: `start-${i}`, from: p, to, body: 'start' });
    }
    facts = await readFacts(env, (fs) => phones.every((_, i) => factsOf(fs, `start-${i}`).length >= 2));
    expectNoDuplicates(facts);
    for (const i of phones.keys()) {
      expect(factsOf(facts, `stop-${i}`)).toHaveLength(2);
      expect(factsOf(facts, `start-${i}`).find((f) => f.type === 'OptInFact')!.fields.customer_ids).toEqual([`old-${i}`, `new-${i}`]);
    }
    const entries = await readBlacklist(env, (es) => phones.every((p) => es.filter((e) => e.key === `${project}:${p}`).length >= 2));
    for (const p of phones) {
      expect(entries.filter((e) => e.key === `${project}:${p}`).map((e) => e.entry?.status ?? null)).toEqual(['BLOCKED', null]);
    }
  });
});
