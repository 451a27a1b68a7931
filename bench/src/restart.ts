// bench restart: how soon `optline start` answers a send check again after it was stopped, by
// kill -9 (a crash: its consumer-group members stay until their sessions end) or by SIGINT (a
// clean stop: they leave). Each round restarts the whole process twice, alternating the two
// ways, against the configured broker; the clean stop is the baseline measured in the same run.
// Per restart, from the spawn: the API's "api listening" line, ingress's "ingress ready", and
// the first 200 of POST send-check (polled every 25 ms), which must refuse the phone blacklisted
// before (SPEC: within 10 s of a restart), and the CPU time the process had used by then (on a
// busy machine the wall time is that CPU time stretched by the load). Medians of the rounds.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka } from '@optline/kafka';
import { loadConfig } from '@optline/runtime';
import { StartProcess } from '@optline/test/start-process';
import { deleteNamespace, formatTable, median } from './harness.ts';

const ROUNDS = Number(process.env.BENCH_RESTART_ROUNDS ?? 5);
const TOKEN = 'bench-restart';
const BASIC = 'sinch:bench-restart';
const PROJECT = 'bench';
const DEDICATED = '12398';
const PHONE = '421905100077';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Restart { sendCheck: number; cpu: number; apiListening: number; ingressReady: number }

/** CPU milliseconds (user + system) a process has used, from /proc (NaN elsewhere): the load-independent cost. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

async function call(system: StartProcess, service: string, path: string, init: RequestInit): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = system.url(service);
  if (!url) return { status: 0, json: {} };
  try {
    const res = await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  } catch {
    return { status: 0, json: {} };
  }
}

const api = (system: StartProcess, path: string, body: unknown, method = 'POST') =>
  call(system, 'api', path, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
const sendCheck = (system: StartProcess) => api(system, `/v1/projects/${PROJECT}/send-check`, { phone: PHONE, customer_id: 'c1' });

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`bench restart: ${what} not within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Milliseconds from `t0` to the first log line with message `msg`. */
function logged(system: StartProcess, msg: string, t0: number): number {
  const line = system.logs().find((l) => l.msg === msg);
  return line ? Number(line.time) - t0 : NaN;
}

export async function run(): Promise<void> {
  const config = loadConfig();
  const namespace = `bench-restart-${Date.now().toString(36)}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-restart-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env, OPTLINE_TOPIC_NAMESPACE: namespace, OPTLINE_STATE_DIR: stateDir, OPTLINE_INGRESS_PORT: '0', OPTLINE_API_PORT: '0',
    OPTLINE_METRICS_PORT: '0', OPTLINE_API_TOKEN: TOKEN, OPTLINE_INGRESS_BASIC_AUTH: BASIC, OPTLINE_LOG_LEVEL: 'info',
  };
  delete env.OPTLINE_SINCH_HMAC_SECRET;
  let system = new StartProcess(env);
  const results: Record<'kill -9' | 'SIGINT', Restart[]> = { 'kill -9': [], SIGINT: [] };
  try {
    await system.running();
    const settings = { trackIncoming: true, optOutEnabled: true, keywords: ['stop'], consentCategories: ['sms'], dedicatedNumbers: [DEDICATED] };
    await until('settings stored', async () => (await api(system, `/v1/projects/${PROJECT}/sms-settings`, settings, 'PUT')).status === 200);
    const stop = { type: 'mo_text', id: `bench-${namespace}`, from: PHONE, to: DEDICATED, body: 'STOP', received_at: new Date().toISOString() };
    const inbound = { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(BASIC).toString('base64')}` }, body: JSON.stringify(stop) };
    await until('the STOP accepted', async () => (await call(system, 'ingress', '/v1/sinch/inbound', inbound)).status === 200);
    await until('the STOP seen by the send check', async () => (await sendCheck(system)).json.allowed === false);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const how of ['kill -9', 'SIGINT'] as const) {
        await sleep(2000); // the matcher's group settled with its members
        if (how === 'kill -9') await system.kill();
        else {
          system.signal('SIGINT');
          await system.exited;
        }
        const t0 = Date.now();
        system = new StartProcess(env);
        await until('the send check after the restart', async () => (await sendCheck(system)).status === 200);
        const sendCheckMs = Date.now() - t0;
        const cpu = cpuMs(system.pid);
        const verdict = await sendCheck(system);
        if (verdict.json.allowed !== false) throw new Error(`bench restart: the blacklisted phone was allowed after the restart: ${JSON.stringify(verdict.json)}`);
        await system.running();
        const r = { sendCheck: sendCheckMs, cpu, apiListening: logged(system, 'api listening', t0), ingressReady: logged(system, 'ingress ready', t0) };
        results[how].push(r);
        process.stderr.write(`  round ${round}/${ROUNDS}, after ${how}: send check ${r.sendCheck} ms (CPU ${r.cpu} ms), api listening ${r.apiListening} ms, ingress ready ${r.ingressReady} ms\n`);
      }
    }
  } finally {
    await system.kill();
    rmSync(stateDir, { recursive: true, force: true });
    await deleteNamespace(createKafka(config), namespace).catch(() => undefined);
  }
  const base = median(results.SIGINT.map((r) => r.sendCheck));
  const rows = (['kill -9', 'SIGINT'] as const).map((how) => {
    const rs = results[how];
    const m = median(rs.map((r) => r.sendCheck));
    return [`restart after ${how}`, String(rs.length), String(Math.round(m)), String(Math.max(...rs.map((r) => r.sendCheck))), String(Math.round(median(rs.map((r) => r.cpu)))),
      String(Math.round(median(rs.map((r) => r.apiListening)))), String(Math.round(median(rs.map((r) => r.ingressReady)))), how === 'SIGINT' ? '' : `${(m / base).toFixed(2)}x`];
  });
  const headers = ['case', 'restarts', 'send check ms (median)', 'max', 'CPU ms until then', 'api listening ms', 'ingress ready ms', 'vs SIGINT'];
  process.stdout.write(`\nbench restart: spawn of \`optline start\` until the first send-check answer (SPEC: within 10 s), medians of ${ROUNDS} rounds\n\n${formatTable(headers, rows)}\n\n`);
}
