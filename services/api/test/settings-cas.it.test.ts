// Settings compare-and-set across API instances (SPEC.md: no update is lost when several API
// instances write at once): two instances over one namespace, concurrent PUTs through both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmsSettings } from '@optline/core';
import { Codec, createKafka } from '@optline/kafka';
import { collect, uniqueName } from '@optline/test';
import { startTestApi, type TestApi } from './support.ts';

let a: TestApi;
let b: TestApi;
const PATH = (project: string) => `/v1/projects/${project}/sms-settings`;
const NUMBERS: Record<string, string> = { solo: '12345', race: '23456', blind: '34567' };
const docOf = (name: string) => (marker: string) => ({
  trackIncoming: true, optOutEnabled: true, keywords: ['STOP', marker], consentCategories: ['sms'], dedicatedNumbers: [NUMBERS[name]!],
});

beforeAll(async () => {
  const namespace = uniqueName('it-api-cas');
  a = await startTestApi('it-api-cas', namespace);
  b = await startTestApi('it-api-cas', namespace);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

/** The ETag `api` answers for `path` once it is `expected`, or the last one after 10 s. */
async function etagOn(api: TestApi, path: string, expected: string): Promise<string | null> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const etag = (await api.call('GET', path)).headers.get('etag');
    if (etag === expected || Date.now() > deadline) return etag;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every version of `project` stored on the settings topic, in log order, once `count` are there. */
async function history(project: string, count: number): Promise<SmsSettings[]> {
  const records = await collect(createKafka(a.config), a.topics.settings.name, (r) => r.filter((m) => m.key === project).length >= count, 30_000);
  const mine = records.filter((r) => r.key === project);
  return Promise.all(mine.map((r) => new Codec(a.serde).decode<SmsSettings>('SmsSettings', r.value)));
}

const ifMatch = (etag: string) => ({ 'if-match': etag });

describe('settings compare-and-set across two API instances', () => {
  it('answers ETag, refuses a stale If-Match with 412 and the stored ETag, and a malformed one with 400', async () => {
    const project = 'solo';
    const doc = docOf(project);
    const created = await a.call('PUT', PATH(project), doc('one'), undefined, ifMatch('"0"'));
    expect(created.status).toBe(200);
    expect(created.headers.get('etag')).toBe('"1"');
    // The other instance reads the stored version from the settings topic: it may lag the answer
    // by a fetch (which instance is the writer, and so applies its own commit first, is the group's choice).
    expect(await etagOn(b, PATH(project), '"1"')).toBe('"1"');
    expect((await b.call('PUT', PATH(project), doc('two'), undefined, ifMatch('"1"'))).status).toBe(200);

    const stale = await a.call('PUT', PATH(project), doc('three'), undefined, ifMatch('"1"'));
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBe('"2"');
    expect(stale.body.error).toMatchObject({ code: 'precondition_failed', fields: [{ field: 'headers.if-match', rule: 'version_mismatch' }] });
    expect(stale.body.error.message).toMatch(/version 2 is stored/);

    const bad = await a.call('PUT', PATH(project), doc('four'), undefined, ifMatch('*'));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_if_match', fields: [{ field: 'headers.if-match', rule: 'settings_version' }] });
    expect((await a.call('GET', PATH(project))).body).toMatchObject({ version: 2, keywords: ['STOP', 'two'] });
  });

  it('200 concurrent PUTs with If-Match through both: every 200 a distinct version, the history without a gap, none lost', async () => {
    const project = 'race';
    const doc = docOf(project);
    expect((await a.call('PUT', PATH(project), doc('initial'))).status).toBe(200);
    // Each writer read version 1 and retries a refused write with the ETag the 412 gives, up to 5 times.
    const attempts = await Promise.all(Array.from({ length: 200 }, async (_, i) => {
      const api = i % 2 === 0 ? a : b;
      let etag = '"1"';
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        const res = await api.call('PUT', PATH(project), doc(`w${i}`), undefined, ifMatch(etag));
        statuses.push(res.status);
        if (res.status === 200) return { i, statuses, version: res.body.version as number, etag: res.headers.get('etag') };
        expect(res.status).toBe(412);
        etag = res.headers.get('etag')!;
      }
      return { i, statuses, version: null, etag: null };
    }));
    const won = attempts.filter((w) => w.version !== null);
    const versions = won.map((w) => w.version!);
    expect(new Set(versions).size).toBe(versions.length);
    expect(won.every((w) => w.etag === `"${w.version}"`)).toBe(true);
    expect(won.length).toBeGreaterThan(1);
    expect(attempts.flatMap((w) => w.statuses).filter((s) => s !== 200 && s !== 412)).toEqual([]);

    const stored = await history(project, 1 + won.length);
    expect(stored.map((s) => s.version)).toEqual(Array.from({ length: 1 + won.length }, (_, i) => i + 1));
    // Each stored version is the document of the PUT that was answered with it.
    for (const w of won) expect(stored[w.version! - 1]!.keywords).toEqual(['STOP', `w${w.i}`]);
  });

  it('200 concurrent PUTs without If-Match through both: all stored, each its own version, none lost', async () => {
    const project = 'blind';
    const doc = docOf(project);
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).call('PUT', PATH(project), doc(`n${i}`))));
    expect(answers.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    const versions = answers.map((r) => r.body.version as number).sort((x, y) => x - y);
    expect(versions).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const stored = await history(project, 200);
    expect(stored.map((s) => s.version)).toEqual(versions);
    answers.forEach((r, i) => expect(stored[r.body.version - 1]!.keywords).toEqual(['STOP', `n${i}`]));
  });
});

describe('settings writer failover', () => {
  it('when the instance that is the settings writer stops, the other takes over and versions go on without a gap', async () => {
    const project = 'failover';
    const put = (api: TestApi, marker: string) => api.call('PUT', PATH(project), { ...docOf('blind')(marker), dedicatedNumbers: ['45678'] });
    expect((await put(a, 'first')).status).toBe(200);
    const decided = async (api: TestApi) => ((await api.api.registry.getSingleMetric('optline_settings_commands_total')?.get())?.values ?? []).reduce((n, v) => n + v.value, 0);
    const owner = (await decided(a)) > 0 ? a : b;
    const other = owner === a ? b : a;
    // In flight while the writer goes: each is answered (200), none lost.
    const during = Array.from({ length: 20 }, (_, i) => put(other, `during${i}`));
    await owner.stop();
    const answers = await Promise.all(during);
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    expect((await put(other, 'after')).body.version).toBe(22);
    expect(await decided(other)).toBeGreaterThan(0);
    const stored = await history(project, 22);
    expect(stored.map((s) => s.version)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
  });
});
