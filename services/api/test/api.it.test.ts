import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENQUEUE_FAILED_MESSAGE, type CampaignEvent } from '@optline/core';
import { collect } from '@optline/test';
import { Codec, createKafka, fetchTopicOffsets } from '@optline/kafka';
import { eventually, startTestApi, type TestApi } from './support.ts';

let t: TestApi;

const SHOP = 'shop';
const PHONE = '00421905123456';
const settingsDoc = {
  trackIncoming: true,
  optOutEnabled: true,
  keywords: ['STOP', 'stop', 'arret'],
  optInKeywords: ['START'],
  consentCategories: ['sms'],
  dedicatedNumbers: ['+421 905 999 888'],
};

async function blacklistEntry(phone: string, value: object | null): Promise<void> {
  const encoded = value === null ? null : await t.serde.encode(t.topics.blacklist.name, value);
  await t.producer.send({ topic: t.topics.blacklist.name, acks: -1, messages: [{ key: `${SHOP}:${phone}`, value: encoded }] });
}

/** The campaign events on the topic once one keyed `key` is there (bounded wait). */
async function campaignEvents(key: string): Promise<CampaignEvent[]> {
  const records = await collect(createKafka(t.config), t.topics.campaign.name, (r) => r.some((m) => m.key === key), 15_000);
  return Promise.all(records.map((r) => new Codec(t.serde).decode<CampaignEvent>('CampaignEvent', r.value)));
}

/** Records written to the campaign topic so far (sum of the partitions' end offsets). */
async function campaignEnd(): Promise<number> {
  const admin = createKafka(t.config).admin();
  await admin.connect();
  try {
    return (await fetchTopicOffsets(admin, t.topics.campaign.name)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  t = await startTestApi('it-api');
});

afterAll(async () => {
  await t?.stop();
});

describe('auth and probes', () => {
  it('answers 401 with a JSON error for a missing, non-Bearer or wrong token, on every /v1 route', async () => {
    for (const [method, path] of [['GET', `/v1/projects/${SHOP}/sms-settings`], ['POST', `/v1/projects/${SHOP}/send-check`], ['GET', `/v1/projects/${SHOP}/blacklist/${PHONE}`]] as const) {
      const missing = await t.call(method, path, method === 'POST' ? { phone: PHONE } : undefined, null);
      expect(missing.status, `${method} ${path}`).toBe(401);
      expect(missing.body.error.code).toBe('unauthorized');
      expect((await t.call(method, path, undefined, 'wrong')).status).toBe(401);
    }
    const basic = await fetch(`${t.api.url}/v1/projects/${SHOP}/sms-settings`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.status).toBe(401);
  });

  it('serves /healthz, /readyz and /metrics without a token', async () => {
    expect((await t.call('GET', '/healthz', undefined, null)).body).toEqual({ status: 'ok' });
    expect((await t.call('GET', '/readyz', undefined, null)).body).toEqual({ status: 'ready' });
    const metrics = await t.call('GET', '/metrics', undefined, null);
    expect(metrics.body).toContain('optline_blacklist_client_lag_records');
    expect(metrics.body).toContain('optline_settings_table_projects');
  });
});

describe('SMS settings', () => {
  it('refuses a broken document naming every broken field at once', async () => {
    const res = await t.call('PUT', `/v1/projects/${SHOP}/sms-settings`, {
      trackIncoming: 'yes',
      optOutEnabled: true,
      keywords: ['STOP', 'x'.repeat(21)],
      consentCategories: ['a', 'b', 'c', 'd', 'e', 'f'],
      dedicatedNumbers: ['0905 123 456'],
      colour: 'blue',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_settings');
    const fields = Object.fromEntries(res.body.error.fields.map((f: { field: string; rule: string }) => [f.field, f.rule]));
    expect(fields).toEqual({
      colour: 'unknown_field',
      trackIncoming: 'type',
      'keywords[1]': expect.any(String),
      consentCategories: 'too_many_categories',
      'dedicatedNumbers[0]': 'number_invalid',
    });
    for (const f of res.body.error.fields) expect(f.message.length).toBeGreaterThan(0);
    expect((await t.call('GET', `/v1/projects/${SHOP}/sms-settings`)).status).toBe(404);
  });

  it('stores valid settings normalised with a version, and GET reads them back', async () => {
    const put = await t.call('PUT', `/v1/projects/${SHOP}/sms-settings`, settingsDoc);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ project: SHOP, version: 1, keywords: ['STOP', 'arret'], optInKeywords: ['START'], dedicatedNumbers: ['00421905999888'] });
    expect(put.body.updatedAt).toBeGreaterThan(0);
    const get = await t.call('GET', `/v1/projects/${SHOP}/sms-settings`);
    expect(get.body).toEqual(put.body);
    // A document read back with GET can be sent again as is.
    const again = await t.call('PUT', `/v1/projects/${SHOP}/sms-settings`, get.body);
    expect(again.body.version).toBe(2);
  });

  it('answers 409 naming the owner when a dedicated number belongs to another project', async () => {
    const res = await t.call('PUT', '/v1/projects/bakery/sms-settings', { ...settingsDoc, dedicatedNumbers: ['12345', '00421905999888'] });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('number_conflict');
    expect(res.body.error.message).toContain('"shop"');
    expect(res.body.error.conflicts).toEqual([{ field: 'dedicatedNumbers[1]', number: '00421905999888', project: SHOP }]);
    expect(res.body.error.fields).toEqual([expect.objectContaining({ field: 'dedicatedNumbers[1]', rule: 'number_owned_by_other_project' })]);
  });
});

describe('blacklist look-up and send check', () => {
  const entry = { project: SHOP, phone: PHONE, status: 'BLOCKED', keyword: 'STOP', message_id: 'mo-1', blocked_at: 1_700_000_000_000, updated_at: 1_700_000_000_000 };

  it('answers 404 for a phone not blacklisted, then the entry once the matcher blacklisted it, for any phone form', async () => {
    const before = await t.call('GET', `/v1/projects/${SHOP}/blacklist/${PHONE}`);
    expect(before.status).toBe(404);
    expect(before.body.error.code).toBe('not_blacklisted');
    expect((await t.call('POST', `/v1/projects/${SHOP}/send-check`, { phone: PHONE, customer_id: 'c1' })).body).toEqual({ allowed: true });

    await blacklistEntry(PHONE, entry);
    for (const form of ['+421 905 123 456', '421905123456', '00421905123456', '(+421) 905-123-456']) {
      const found = await eventually(async () => {
        const res = await t.call('GET', `/v1/projects/${SHOP}/blacklist/${encodeURIComponent(form)}`);
        expect(res.status).toBe(200);
        return res.body;
      });
      expect(found).toEqual({ ...entry, source: 'keyword', actor: null, reason: null });
    }
  });

  it('refuses a blacklisted phone and tracks enqueue_failed on the campaign topic before answering', async () => {
    const before = await campaignEnd();
    const res = await t.call('POST', `/v1/projects/${SHOP}/send-check`, { phone: '+421905123456', customer_id: 'c1', sender: '+421 905 999 888' });
    expect(res.status).toBe(200);
    // acks=all before the answer: the log already ends one record further.
    expect(await campaignEnd()).toBe(before + 1);
    expect(res.body).toMatchObject({ allowed: false, reason: 'blacklisted' });
    const events = await campaignEvents('c1');
    expect(events.find((e) => e.event_id === res.body.event_id)).toEqual({
      event_id: res.body.event_id, project: SHOP, customer_id: 'c1', status: 'enqueue_failed', action_type: 'sms',
      timestamp: expect.any(Number), message: ENQUEUE_FAILED_MESSAGE, sender: PHONE, recipient: '00421905999888',
    });
  });

  it('refuses a profile created after the opt-out with the same phone (the blacklist is per phone)', async () => {
    const profile = { project: SHOP, customer_id: 'new-after-opt-out', phone: PHONE, updated_at: Date.now(), deleted: false };
    await t.producer.send({ topic: t.topics.customers.name, acks: -1, messages: [{ key: profile.customer_id, value: await t.serde.encode(t.topics.customers.name, profile) }] });
    const res = await t.call('POST', `/v1/projects/${SHOP}/send-check`, { phone: PHONE, customer_id: profile.customer_id });
    expect(res.body).toMatchObject({ allowed: false, reason: 'blacklisted' });
    const events = await campaignEvents(profile.customer_id);
    expect(events.find((e) => e.event_id === res.body.event_id)).toMatchObject({ customer_id: profile.customer_id, status: 'enqueue_failed', message: ENQUEUE_FAILED_MESSAGE });
  });

  it('allows the phone again after the entry is cleared (consent accept or opt-in keyword: a tombstone)', async () => {
    await blacklistEntry(PHONE, null);
    await eventually(async () => expect((await t.call('GET', `/v1/projects/${SHOP}/blacklist/${PHONE}`)).status).toBe(404));
    expect((await t.call('POST', `/v1/projects/${SHOP}/send-check`, { phone: PHONE, customer_id: 'c1' })).body).toEqual({ allowed: true });
  });

  it('refuses bad input with the field and rule: an invalid phone, an unknown project, a body that breaks the schema', async () => {
    const phone = await t.call('POST', `/v1/projects/${SHOP}/send-check`, { phone: '0905 123 456' });
    expect(phone.status).toBe(400);
    expect(phone.body.error.fields).toEqual([expect.objectContaining({ field: 'phone', rule: 'national_format' })]);
    const lookup = await t.call('GET', `/v1/projects/${SHOP}/blacklist/12`);
    expect(lookup.status).toBe(400);
    expect(lookup.body.error.fields[0].field).toBe('params.phone');
    const unknown = await t.call('POST', '/v1/projects/nobody/send-check', { phone: PHONE });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_project');
    const schema = await t.call('POST', `/v1/projects/${SHOP}/send-check`, { customer_id: 7, extra: true });
    expect(schema.status).toBe(400);
    expect(schema.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['customer_id', 'extra', 'phone']);
  });
});
