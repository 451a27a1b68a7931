// `optline settings` and `optline blacklist` against a real API over HTTP.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApi, TOKEN, type TestApi } from '../../api/test/support.ts';
import { run as blacklist } from '../src/commands/blacklist.ts';
import { run as settings } from '../src/commands/settings.ts';
import { captured } from './captured.ts';

let t: TestApi;
const dir = mkdtempSync(join(tmpdir(), 'optline-cli-'));

const cli = (command: typeof settings, args: string[], token = TOKEN) => captured(command, args, { OPTLINE_API_URL: t.api.url, OPTLINE_API_TOKEN: token });

function file(name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

beforeAll(async () => {
  t = await startTestApi('it-cli-api');
});

afterAll(async () => {
  await t?.stop();
});

describe('optline settings', () => {
  it('prints each field error of a refused document and exits 1', async () => {
    const bad = file('bad.json', { trackIncoming: true, optOutEnabled: true, keywords: [], consentCategories: [], dedicatedNumbers: [] });
    const res = await cli(settings, ['put', 'shop', '--file', bad]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('(HTTP 400, invalid_settings)');
    expect(res.stderr).toMatch(/^ {2}keywords: .*\[keywords_required\]$/m);
    expect(res.stderr).toMatch(/^ {2}consentCategories: .*\[categories_required\]$/m);
    expect(res.stderr).toMatch(/^ {2}dedicatedNumbers: .*\[numbers_required\]$/m);
  });

  it('stores a document and prints it as stored; get prints it again', async () => {
    const good = file('good.json', { trackIncoming: true, optOutEnabled: true, keywords: ['Stop'], consentCategories: ['sms'], dedicatedNumbers: ['12345'] });
    const put = await cli(settings, ['put', 'shop', '--file', good]);
    expect(put.code).toBe(0);
    expect(JSON.parse(put.stdout)).toMatchObject({ project: 'shop', version: 1, keywords: ['Stop'], dedicatedNumbers: ['12345'] });
    const get = await cli(settings, ['get', 'shop']);
    expect(get.code).toBe(0);
    expect(JSON.parse(get.stdout)).toEqual(JSON.parse(put.stdout));
  });

  it('put --if-match stores over that version only, and prints the 412 of a stale one', async () => {
    const doc = file('cas.json', { trackIncoming: false, optOutEnabled: true, keywords: ['Stop'], consentCategories: ['sms'], dedicatedNumbers: ['23456'] });
    const created = await cli(settings, ['put', 'cafe', '--file', doc, '--if-match', '0']);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ version: 1 });
    expect((await cli(settings, ['put', 'cafe', '--file', doc, '--if-match=1'])).code).toBe(0);
    const stale = await cli(settings, ['put', 'cafe', '--file', doc, '--if-match', '1']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('(HTTP 412, precondition_failed)');
    expect(stale.stderr).toMatch(/headers\.if-match: .*version 2 is stored.*\[version_mismatch\]/);
    const bad = await cli(settings, ['put', 'cafe', '--file', doc, '--if-match', 'latest']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--if-match takes a settings version');
  });

  it('exits 1 with the reason for a wrong token, 2 for a missing file', async () => {
    const res = await cli(settings, ['get', 'shop'], 'wrong');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('HTTP 401');
    expect((await cli(settings, ['put', 'shop', '--file', join(dir, 'missing.json')])).code).toBe(2);
  });
});

describe('optline blacklist get', () => {
  it('exits 1 for a phone not blacklisted, and prints the entry once it is', async () => {
    const missing = await cli(blacklist, ['get', 'shop', '+421 905 123 456']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('not_blacklisted');
    const entry = { project: 'shop', phone: '00421905123456', status: 'BLOCKED', keyword: 'Stop', message_id: 'mo-9', blocked_at: 1_700_000_000_000, updated_at: 1_700_000_000_000 };
    await t.producer.send({ topic: t.topics.blacklist.name, acks: -1, messages: [{ key: 'shop:00421905123456', value: await t.serde.encode(t.topics.blacklist.name, entry) }] });
    const found = await eventually(async () => {
      const res = await cli(blacklist, ['get', 'shop', '+421 905 123 456']);
      expect(res.code).toBe(0);
      return res;
    });
    expect(JSON.parse(found.stdout)).toEqual({ ...entry, source: 'keyword', actor: null, reason: null });
  });
});
