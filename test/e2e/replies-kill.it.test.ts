import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyEventId } from '@optline/core';
import { provision } from '@optline/kafka';
import { SinchSandbox } from '@optline/sinch';
import { testConfig, uniqueName } from '../support/index.ts';
import { ServiceProcess } from '../support/processes.ts';
import { eventually } from '../support/system.ts';
import { canonical } from './helpers.ts';

// kill -9 of the matcher, then of the replier, while replies are in flight (Sinch answering in
// 200 ms; some answers dropped after the batch was accepted). Callbacks are retried with the same
// id until ingress accepts them, as Sinch does. Afterwards every accepted STOP and HELP has had
// exactly one batch at Sinch, counted per client_reference on the test server; none twice.

const TOKEN = 'replies-kill-token';
const BASIC = 'sinch:replies-kill';
const PLAN = 'replies-kill-plan';
const SINCH_TOKEN = 'replies-kill-sinch';
const namespace = uniqueName('it-replies-kill');
const stateDir = mkdtempSync(join(tmpdir(), 'optline-replies-kill-'));
const dedicated = String(70_000_000 + Math.floor(Math.random() * 9_999_999));
let services: Record<string, ServiceProcess>;
let sandbox: SinchSandbox;

beforeAll(async () => {
  const config = testConfig({ topicNamespace: namespace });
  await provision(config);
  sandbox = new SinchSandbox({ servicePlanId: PLAN, apiToken: SINCH_TOKEN, latencyMs: 200 });
  const env = {
    OPTLINE_KAFKA_BROKERS: config.kafkaBrokers.join(','),
    OPTLINE_SCHEMA_REGISTRY_URL: config.schemaRegistryUrl,
    OPTLINE_TOPIC_NAMESPACE: namespace,
    OPTLINE_STATE_DIR: stateDir,
    OPTLINE_INGRESS_PORT: '0',
    OPTLINE_API_PORT: '0',
    OPTLINE_API_TOKEN: TOKEN,
    OPTLINE_INGRESS_BASIC_AUTH: BASIC,
    OPTLINE_SINCH_API_URL: await sandbox.start(),
    OPTLINE_SINCH_SERVICE_PLAN_ID: PLAN,
    OPTLINE_SINCH_API_TOKEN: SINCH_TOKEN,
    OPTLINE_SINCH_TIMEOUT_MS: '2000',
    OPTLINE_LOG_LEVEL: 'info',
  };
  services = Object.fromEntries(['matcher', 'ingress', 'api', 'replier'].map((n) => [n, new ServiceProcess(n, env)]));
  await Promise.all(Object.values(services).map((s) => s.start()));
  const put = await fetch(`${services.api!.url}/v1/projects/kill/sms-settings`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      trackIncoming: false, optOutEnabled: true, keywords: ['stop'], helpKeywords: ['help'], consentCategories: ['sms'], dedicatedNumbers: [dedicated],
      replies: [{ kind: 'optOut', text: 'Unsubscribed.' }, { kind: 'help', text: 'Reply STOP to unsubscribe.' }],
    }),
  });
  expect(put.status, await put.text()).toBe(200);
}, 180_000);

afterAll(async () => {
  await Promise.all(Object.values(services ?? {}).map((s) => s.stop()));
  await sandbox?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function post(id: string, phone: string, body: string): Promise<boolean> {
  try {
    const res = await fetch(`${services.ingress!.url}/v1/sinch/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(BASIC).toString('base64')}` },
      body: JSON.stringify({ type: 'mo_text', id, from: canonical(phone).slice(2), to: dedicated, body, received_at: new Date().toISOString() }),
      signal: AbortSignal.timeout(10_000),
    });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** One message every `everyMs` from a phone of its own, each retried with its id until accepted. */
async function load(until: Promise<unknown>, everyMs: number): Promise<Array<{ id: string; kind: 'optOut' | 'help' }>> {
  const accepted: Array<{ id: string; kind: 'optOut' | 'help' }> = [];
  const pending: Promise<void>[] = [];
  let finished = false;
  void until.finally(() => (finished = true));
  for (let n = 0; !finished; n++) {
    const kind = n % 2 === 0 ? 'optOut' : 'help';
    const id = `${namespace}-${n}`;
    const phone = `+421 905 ${String(100_000 + n).padStart(6, '0')}`;
    pending.push((async () => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(250)) {
        if (await post(id, phone, kind === 'optOut' ? 'STOP' : 'HELP')) return void accepted.push({ id, kind });
      }
    })());
    await sleep(everyMs);
  }
  await Promise.all(pending);
  return accepted;
}

describe('replies under kill -9', () => {
  it('matcher and replier killed with replies in flight: every reply reaches Sinch exactly once', async () => {
    const crashes = (async () => {
      await sleep(3000);
      await services.matcher!.crash();
      await sleep(500);
      await services.matcher!.start();
      await sleep(3000);
      // Accepted by Sinch, the answer lost, and the replier killed meanwhile.
      sandbox.failWith({ kind: 'drop_response', times: 5 });
      await sleep(300);
      await services.replier!.crash();
      sandbox.heal();
      await sleep(500);
      await services.replier!.start();
      await sleep(3000);
    })();
    const accepted = await load(crashes, 50);
    await crashes;
    expect(accepted.length).toBeGreaterThan(100);
    const refs = accepted.map((m) => replyEventId('kill', m.id, m.kind));
    await eventually(`${refs.length} replies at Sinch`, async () => (refs.every((r) => sandbox.count(r) >= 1) ? true : undefined), 120_000, 500);
    await sleep(4000); // a duplicate would have arrived by now
    expect(refs.filter((r) => sandbox.count(r) !== 1)).toEqual([]);
    expect([...sandbox.counts().values()].filter((n) => n !== 1)).toEqual([]);
    for (const s of Object.values(services)) expect(s.running, s.name).toBe(true);
  }, 300_000);
});
