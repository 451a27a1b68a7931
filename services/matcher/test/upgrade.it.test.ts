// Upgrading optline from the `rocksdb` 5.2.1 binding: the state folders it left cannot be read
// by the new binding (which aborts the process on the first Snappy block), so the matcher must
// wipe them, say so, and restore them from the changelogs: same state, no crash.
import { cp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@optline/test';
import {
  closeEnv, dumpStores, matcherEnv, MatcherProcess, phone, putSettings, sendCustomer, sendInbound, settingsRecord, startMatcher, stateDir,
  stopMatcher, waitForState, type MatcherEnv,
} from './support.ts';

const oldFolder = join(import.meta.dirname, '../../../libs/state-store/test/fixtures/rocksdb-5.2.1');
let env: MatcherEnv | undefined;
let child: MatcherProcess | undefined;
afterAll(async () => {
  await child?.stop();
  await closeEnv(env);
});

describe('state folders of the earlier RocksDB binding', () => {
  it('are wiped, logged and restored from the changelogs by `optline run matcher`, which does not crash', async () => {
    env = await matcherEnv('it-upgrade', 2);
    const dir = await stateDir(env);
    const settings = settingsRecord(uniqueName('p-upgrade'));
    const [x, y] = [phone(), phone()];
    const matcher = await startMatcher(env, dir);
    await putSettings(env, settings);
    await sendCustomer(env, { project: settings.project, customer_id: 'alice', phone: x, updated_at: Date.now() - 1000 });
    await sendCustomer(env, { project: settings.project, customer_id: 'bob', phone: y, updated_at: Date.now() - 1000 });
    await sendInbound(env, { id: 'm1', from: x, to: settings.dedicatedNumbers[0]!, body: 'STOP' });
    await waitForState(env, `${settings.project}:${x}`, (s) => s?.blacklist?.status === 'BLOCKED');
    await waitForState(env, `${settings.project}:${y}`, (s) => s?.profiles.length === 1);
    await stopMatcher(env, matcher);
    const state = await dumpStores(dir);
    expect(Object.keys(state['phone-state']!)).toHaveLength(2);

    // Every store folder replaced by one as the old binding wrote it (other keys, Snappy SSTs).
    const folders: string[] = [];
    for (const store of await readdir(dir)) {
      for (const partition of await readdir(join(dir, store))) {
        const folder = join(dir, store, partition);
        await rm(folder, { recursive: true });
        await cp(oldFolder, folder, { recursive: true });
        folders.push(`${store}/${partition}`);
      }
    }
    expect(folders.length).toBeGreaterThanOrEqual(2);

    child = new MatcherProcess(env, dir);
    const wiped = (line: Record<string, unknown>) => line.msg === 'store restored from changelog' && /earlier optline/.test(String(line.wiped));
    await child.waitForLog('a wiped store restored', (line) => child!.logs.filter(wiped).length === folders.length);
    for (const line of child.logs.filter(wiped)) expect(line).toMatchObject({ rebuilt: true, from: '0' });
    await child.stop();
    expect(await child.exited).toBe(0);
    expect(await dumpStores(dir)).toEqual(state);
  });
});
