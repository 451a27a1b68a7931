// kill -9 of the matcher process while replies arrive, then a restart on the same state folder:
// every reply has its effects exactly once. A store ahead of its committed input would swallow
// the replies redone after the crash (their ids already "processed"); outputs of an aborted
// transaction would show up as duplicates.
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@optline/test';
import {
  closeEnv, matcherEnv, MatcherProcess, phonesCovering, putSettings, readBlacklist, readFacts, sendInbound, settingsRecord, stateDir, type MatcherEnv,
} from './support.ts';

let env: MatcherEnv | undefined;
const processes: MatcherProcess[] = [];
afterAll(async () => {
  for (const p of processes) await p.stop();
  await closeEnv(env);
});

const PER_PHONE = 100;
const ROUNDS = 10;
const body = (i: number) => (i % 10 === 3 ? 'STOP' : i % 10 === 7 ? 'start' : 'hi');

describe('kill -9 of the matcher', () => {
  it('after a restart on the same state folder, every reply has its effects once: none lost, none doubled', async () => {
    env = await matcherEnv('it-matcher-crash');
    const settings = settingsRecord(uniqueName('p-crash'));
    const { project } = settings;
    const to = settings.dedicatedNumbers[0]!;
    await putSettings(env, settings);
    const phones = phonesCovering(env.config.partitions, 2);
    const dir = await stateDir(env);

    const first = new MatcherProcess(env, dir);
    processes.push(first);
    await first.waitForLog('matcher started');
    let restarted: MatcherProcess | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      const sends: Array<Promise<unknown>> = [];
      for (let i = round * (PER_PHONE / ROUNDS); i < (round + 1) * (PER_PHONE / ROUNDS); i++) {
        for (const p of phones) {
          sends.push(sendInbound(env, { id: `${p}-${i}`, from: p, to, body: body(i) }));
          if (i % 25 === 0 && i > 0) sends.push(sendInbound(env, { id: `${p}-${i - 2}`, from: p, to, body: body(i - 2) })); // a retry
        }
      }
      await Promise.all(sends);
      if (round === 3) {
        await new Promise((r) => setTimeout(r, 30)); // while that round is being processed
        await first.kill();
      }
      if (round === 6) {
        restarted = new MatcherProcess(env, dir);
        processes.push(restarted);
      }
    }
    await restarted!.waitForLog('matcher started');

    const ids = phones.flatMap((p) => Array.from({ length: PER_PHONE }, (_, i) => `${p}-${i}`));
    const facts = await readFacts(env, (fs) => new Set(fs.filter((f) => f.type === 'IncomingMessageFact').map((f) => f.fields.message_id)).size >= ids.length, 60_000);
    const count = (type: string, id: string) => facts.filter((f) => f.type === type && f.fields.message_id === id).length;
    for (const [n, id] of ids.entries()) {
      const i = n % PER_PHONE;
      expect(count('IncomingMessageFact', id), id).toBe(1);
      expect(count('OptOutFact', id), id).toBe(body(i) === 'STOP' ? 1 : 0);
      expect(count('OptInFact', id), id).toBe(body(i) === 'start' ? 1 : 0);
    }
    expect(facts).toHaveLength(ids.length + 2 * (ids.length / 10));

    // Each STOP blocks, each start clears: one blacklist record per toggle, in order.
    const entries = await readBlacklist(env, (es) => phones.every((p) => es.filter((e) => e.key === `${project}:${p}`).length >= PER_PHONE / 5));
    for (const p of phones) {
      const mine = entries.filter((e) => e.key === `${project}:${p}`);
      expect(mine.map((e) => e.entry?.message_id ?? null)).toEqual(
        Array.from({ length: PER_PHONE / 10 }, (_, k) => [`${p}-${k * 10 + 3}`, null]).flat(),
      );
    }
  });
});
