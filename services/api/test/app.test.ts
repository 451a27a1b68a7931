// The HTTP shell alone, with the tables stubbed: readiness gating and how refused settings are
// answered. Kafka behaviour is covered by api.it.test.ts against the real broker.
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { BlacklistClient } from '@optline/blacklist-client';
import { validateSettings } from '@optline/core';
import type { AvroSerde } from '@optline/kafka';
import { createLogger } from '@optline/runtime';
import type { SettingsTable } from '@optline/settings-table';
import type { Producer } from 'kafkajs';
import { buildApiApp, loadApiOptions } from '../src/index.ts';
import { apiMetrics } from '../src/metrics.ts';

let app: FastifyInstance | undefined;
afterEach(async () => app?.close());

async function build(ready: boolean, owners: Record<string, string> = {}) {
  const registry = new Registry();
  const settings = {
    get: () => undefined,
    put: async (project: string, input: unknown) => validateSettings(project, input, { ownerOfNumber: (n) => owners[n] }),
  } as unknown as SettingsTable;
  app = await buildApiApp({
    logger: createLogger('api-test', 'silent'), registry, token: 't', bodyLimit: 65536,
    ready: () => (ready ? { ready: true } : { ready: false, reason: 'still reading blacklist (12 records behind)' }),
    settings, blacklist: {} as BlacklistClient, commands: {} as never, history: {} as never, historyReady: () => false, reviewQueue: {} as never, producer: {} as Producer, serde: {} as AvroSerde, campaignTopic: 'c', metrics: apiMetrics(registry),
  });
  return app;
}

const auth = { authorization: 'Bearer t' };

describe('api app', () => {
  it('answers 503 on /v1 and /readyz until the tables have caught up, 401 first without a token', async () => {
    const a = await build(false);
    const check = await a.inject({ method: 'POST', url: '/v1/projects/p/send-check', headers: auth, payload: { phone: '+421905123456' } });
    expect(check.statusCode).toBe(503);
    expect(check.json()).toEqual({ error: { code: 'not_ready', message: 'still reading blacklist (12 records behind)' } });
    expect((await a.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    expect((await a.inject({ method: 'GET', url: '/v1/projects/p/sms-settings' })).statusCode).toBe(401);
    expect((await a.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('answers 400 (not 409) when a document has a number conflict and other errors, listing both', async () => {
    const a = await build(true, { '12345': 'other' });
    const res = await a.inject({ method: 'PUT', url: '/v1/projects/p/sms-settings', headers: auth, payload: { trackIncoming: true, optOutEnabled: false, dedicatedNumbers: ['12345', 'x'] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_settings');
    expect(res.json().error.fields.map((f: { field: string }) => f.field)).toEqual(['dedicatedNumbers[0]', 'dedicatedNumbers[1]']);
    expect(res.json().error.conflicts).toEqual([{ field: 'dedicatedNumbers[0]', number: '12345', project: 'other' }]);
  });

  it('refuses a body that is not a JSON object with 400, and a non-JSON content type with 415', async () => {
    const a = await build(true);
    const array = await a.inject({ method: 'PUT', url: '/v1/projects/p/sms-settings', headers: auth, payload: [] });
    expect(array.statusCode).toBe(400);
    const text = await a.inject({ method: 'PUT', url: '/v1/projects/p/sms-settings', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'hi' });
    expect(text.statusCode).toBe(415);
  });
});

describe('api settings fields', () => {
  const doc = {
    trackIncoming: true, optOutEnabled: true, keywords: ['STOP', 'arret'], helpKeywords: ['HELP'], consentCategories: ['sms'], dedicatedNumbers: ['12345'],
  };

  it('answers the new fields as stored, replies with their keywords and the possible opt-out policy', async () => {
    const a = await build(true);
    const replies = [{ kind: 'optOut', text: 'Bye' }, { kind: 'optOut', text: 'Au revoir', keywords: ['ARRÊT'] }, { kind: 'help', text: 'Reply STOP' }];
    const res = await a.inject({ method: 'PUT', url: '/v1/projects/p/sms-settings', headers: auth, payload: { ...doc, replies, possibleOptOuts: 'blacklist' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      helpKeywords: ['HELP'], possibleOptOuts: 'blacklist',
      replies: [{ kind: 'optOut', text: 'Bye', keywords: [] }, { kind: 'optOut', text: 'Au revoir', keywords: ['arret'] }, { kind: 'help', text: 'Reply STOP', keywords: [] }],
    });
  });

  it('names every broken reply field in one 400', async () => {
    const a = await build(true);
    const replies = [{ kind: 'optOut', text: 'ok' }, { kind: 'optOut', text: '' }, { kind: 'optIn', text: 'x', keywords: ['stop'] }];
    const res = await a.inject({ method: 'PUT', url: '/v1/projects/p/sms-settings', headers: auth, payload: { ...doc, replies, possibleOptOuts: 'maybe' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_settings');
    expect(res.json().error.fields.map((f: { field: string; rule: string }) => [f.field, f.rule])).toEqual([
      ['replies[1].text', 'reply_text_empty'],
      ['replies[2].keywords[0]', 'reply_keyword_unknown'],
      ['possibleOptOuts', 'possible_opt_outs_policy'],
    ]);
  });

  it('GET /v1/sms-settings/defaults suggests the FCC and CTIA keywords with reply texts, behind the token', async () => {
    const a = await build(true);
    expect((await a.inject({ method: 'GET', url: '/v1/sms-settings/defaults' })).statusCode).toBe(401);
    const res = await a.inject({ method: 'GET', url: '/v1/sms-settings/defaults', headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.keywords).toEqual(expect.arrayContaining(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'OPT OUT']));
    expect(body.optInKeywords).toEqual(['START', 'UNSTOP']);
    expect(body.helpKeywords).toEqual(['HELP', 'INFO']);
    expect(body.replies.map((r: { kind: string }) => r.kind)).toEqual(['optOut', 'optOut', 'optIn', 'help']);
    expect(body).toMatchObject({ possibleOptOuts: 'flag', consentCategories: [], dedicatedNumbers: [] });
    // Filled in with the project's own parts, the suggestion is a valid document as it stands.
    const put = await a.inject({ method: 'PUT', url: '/v1/projects/p/sms-settings', headers: auth, payload: { ...body, consentCategories: ['sms'], dedicatedNumbers: ['12345'] } });
    expect(put.statusCode).toBe(200);
  });
});

describe('loadApiOptions', () => {
  it('uses OPTLINE_API_TOKEN and OPTLINE_API_HOST when set', () => {
    expect(loadApiOptions({ OPTLINE_API_TOKEN: 'secret', OPTLINE_API_HOST: '0.0.0.0' })).toMatchObject({ token: 'secret', tokenGenerated: false, host: '0.0.0.0' });
  });

  it('generates a token when none is set, and then binds loopback only', () => {
    const a = loadApiOptions({ OPTLINE_API_HOST: '0.0.0.0' });
    const b = loadApiOptions({});
    expect(a).toMatchObject({ tokenGenerated: true, host: '127.0.0.1' });
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(b.token).not.toBe(a.token);
  });
});
