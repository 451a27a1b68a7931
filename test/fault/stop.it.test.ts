import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stackDown, stackUp } from '@optline/stack';
import { uniqueName } from '../support/index.ts';
import { StartProcess } from '../support/start-process.ts';

// `npx optline start` against a broker the test kills (issue #15): SIGINT after a broker outage
// stops the process within 10 s with nothing left running, and so it does after a kill -9 and a
// restart; after that restart the send check answers within 10 s (measured and printed).
// A private stack (ports 29192/29193/28181, a temporary home), since the broker gets killed.

const home = mkdtempSync(join(tmpdir(), 'optline-stop-'));
const stateDir = mkdtempSync(join(tmpdir(), 'optline-stop-state-'));
const stackEnv: NodeJS.ProcessEnv = { ...process.env, OPTLINE_STACK_HOME: home, OPTLINE_STACK_KAFKA_PORT: '29192', OPTLINE_STACK_CONTROLLER_PORT: '29193', OPTLINE_STACK_REGISTRY_PORT: '28181' };
delete stackEnv.OPTLINE_KAFKA_BROKERS;
delete stackEnv.OPTLINE_SCHEMA_REGISTRY_URL;
const TOKEN = 'stop-token';
const BASIC = 'sinch:stop';
const PROJECT = 'stopping';
const DEDICATED = '12399';
const STOPPED_PHONE = '421905100001';
let env: NodeJS.ProcessEnv;
let current: StartProcess | undefined;

beforeAll(async () => {
  const up = await stackUp(() => undefined, stackEnv);
  env = {
    ...process.env,
    OPTLINE_KAFKA_BROKERS: up.brokers,
    OPTLINE_SCHEMA_REGISTRY_URL: up.schemaRegistryUrl,
    OPTLINE_TOPIC_NAMESPACE: uniqueName('it-stop'),
    OPTLINE_STATE_DIR: stateDir,
    OPTLINE_INGRESS_PORT: '0',
    OPTLINE_API_PORT: '0',
    OPTLINE_METRICS_PORT: '0',
    OPTLINE_API_TOKEN: TOKEN,
    OPTLINE_INGRESS_BASIC_AUTH: BASIC,
    OPTLINE_LOG_LEVEL: 'info',
  };
  delete env.OPTLINE_SINCH_HMAC_SECRET;
}, 300_000);

afterEach(async () => {
  await current?.kill();
  current = undefined;
});

afterAll(async () => {
  await stackDown(() => undefined, stackEnv);
  rmSync(home, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
}, 120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(): Promise<StartProcess> {
  current = new StartProcess(env);
  await current.running();
  return current;
}

async function api(system: StartProcess, path: string, body: unknown, method = 'POST'): Promise<{ status: number; json: Record<string, unknown> }> {
  try {
    const res = await fetch(`${system.url('api')}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  } catch (error) {
    return { status: 0, json: { error: String(error) } };
  }
}

const sendCheck = (system: StartProcess, phone: string) => api(system, `/v1/projects/${PROJECT}/send-check`, { phone, customer_id: 'c1' });

async function callback(system: StartProcess, body: string, from = STOPPED_PHONE): Promise<number> {
  try {
    const res = await fetch(`${system.url('ingress')}/v1/sinch/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(BASIC).toString('base64')}` },
      body: JSON.stringify({ type: 'mo_text', id: uniqueName('mo'), from, to: DEDICATED, body, received_at: new Date().toISOString() }),
      signal: AbortSignal.timeout(10_000),
    });
    return res.status;
  } catch {
    return 0;
  }
}

/** Polls until `probe` is true; fails naming `what` after `timeoutMs`. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number, system: StartProcess): Promise<number> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms; last log lines: ${system.stderr.split('\n').slice(-8).join('\n')}`);
    await sleep(100);
  }
  return Date.now() - started;
}

const SETTINGS = { trackIncoming: true, optOutEnabled: true, keywords: ['stop'], consentCategories: ['sms'], dedicatedNumbers: [DEDICATED] };
let settingsStored = false;

/** An opt-out through ingress, seen by the send check: every service works, end to end. */
async function optOutSeen(system: StartProcess, timeoutMs: number, phone = `4219051${String(Math.floor(Math.random() * 100_000)).padStart(5, '0')}`): Promise<void> {
  // Stored by whichever test runs first (each runs alone too: `-t`).
  if (!settingsStored) await until('settings stored', async () => (await api(system, `/v1/projects/${PROJECT}/sms-settings`, SETTINGS, 'PUT')).status === 200, 30_000, system);
  settingsStored = true;
  await until('ingress accepts the opt-out', async () => (await callback(system, 'STOP', phone)) === 200, timeoutMs, system);
  await until('the send check sees the opt-out', async () => (await sendCheck(system, phone)).json.allowed === false, timeoutMs, system);
}

/** SIGINT, then: how long until the process exited and until nothing of its process group is left. */
async function interrupt(system: StartProcess): Promise<{ ms: number; goneMs: number; code: number | null }> {
  const sent = Date.now();
  system.signal('SIGINT');
  const exited = await Promise.race([system.exited, sleep(30_000).then(() => null)]);
  if (!exited) return { ms: Infinity, goneMs: Infinity, code: null };
  // Helpers of the process (tsx's esbuild service) end once their pipe to it closes.
  while (system.groupAlive() && Date.now() - sent < 30_000) await sleep(50);
  return { ms: exited.at - sent, goneMs: system.groupAlive() ? Infinity : Date.now() - sent, code: exited.code };
}

/** What the stop must not have needed: the backstops that exit a process something still holds. */
const backstops = (system: StartProcess) => system.logs().filter((l) => /exiting anyway/.test(String(l.msg)));

describe('stop always stops, recovery in seconds', () => {
  it('broker killed and restarted, system recovered, then SIGINT: exits within 10 s, nothing left running', async () => {
    const system = await start();
    await optOutSeen(system, 30_000);

    process.kill(Number(readFileSync(join(home, 'run', 'kafka.pid'), 'utf8')), 'SIGKILL');
    await sleep(8000);
    await stackUp(() => undefined, stackEnv); // the same broker again, its data kept
    await optOutSeen(system, 120_000);

    const stop = await interrupt(system);
    console.log(`SIGINT after a broker outage: exited in ${stop.ms} ms (code ${stop.code}), nothing left after ${stop.goneMs} ms`);
    expect(stop.goneMs, system.stderr.split('\n').slice(-15).join('\n')).toBeLessThan(10_000);
    expect(stop.code).toBe(0);
    expect(backstops(system)).toEqual([]);
  }, 400_000);

  it('kill -9 and restart: the send check answers again (time printed; SPEC target 10 s), the blacklist is kept, then SIGINT exits within 10 s', async () => {
    const first = await start();
    await optOutSeen(first, 60_000, STOPPED_PHONE);
    await sleep(2000); // the matcher's group settled with its members
    await first.kill();

    const restartedAt = Date.now();
    const second = new StartProcess(env);
    current = second;
    const answered = await until('send check answers after the restart', async () => (await sendCheck(second, STOPPED_PHONE)).status === 200, 60_000, second);
    const verdict = await sendCheck(second, STOPPED_PHONE);
    const ingressAt = await until('ingress accepts', async () => (await callback(second, 'hello')) === 200, 60_000, second);
    console.log(`after kill -9: send check answered ${answered} ms after the restart (ingress accepted by ${Date.now() - restartedAt} ms, ${ingressAt} ms after the send check)`);
    // SPEC.md: after a crash or restart the send check answers again within 10 s.
    expect(answered).toBeLessThan(10_000);
    expect(verdict.json).toMatchObject({ allowed: false, reason: 'blacklisted' });
    await second.running();
    await optOutSeen(second, 60_000); // the matcher is back too

    const stop = await interrupt(second);
    console.log(`SIGINT after kill -9 and restart: exited in ${stop.ms} ms (code ${stop.code}), nothing left after ${stop.goneMs} ms`);
    expect(stop.goneMs, second.stderr.split('\n').slice(-15).join('\n')).toBeLessThan(10_000);
    expect(stop.code).toBe(0);
    expect(backstops(second)).toEqual([]);
  }, 400_000);

  it('SIGINT while the broker is down: exits within 10 s, nothing left running', async () => {
    const system = await start();
    await optOutSeen(system, 60_000);
    process.kill(Number(readFileSync(join(home, 'run', 'kafka.pid'), 'utf8')), 'SIGKILL');
    await sleep(8000); // consumers crash and restart, producers retry
    const stop = await interrupt(system);
    console.log(`SIGINT with the broker down: exited in ${stop.ms} ms (code ${stop.code}), nothing left after ${stop.goneMs} ms; backstops: ${JSON.stringify(backstops(system).map((l) => l.msg))}`);
    expect(stop.goneMs, system.stderr.split('\n').slice(-15).join('\n')).toBeLessThan(10_000);
    // Ended by the stop itself, not by a backstop: no retry timer of kafkajs outlived it, and the
    // retries it ended are not reported as failures.
    expect(backstops(system)).toEqual([]);
    const since = system.logs().findIndex((l) => l.msg === 'stopping');
    expect(system.logs().slice(since).filter((l) => Number(l.level) >= 50).map((l) => l.msg)).toEqual([]);
    expect(stop.code).toBe(0);
  }, 400_000);
});
