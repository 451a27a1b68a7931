import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngress, loadIngressSettings, type RunningIngress } from '@optline/ingress';
import { createKafka, topics as topicsOf } from '@optline/kafka';
import { createLogger, loadConfig, type OptlineConfig } from '@optline/runtime';
import { stackDown, stackUp } from '@optline/stack';
import { collect, uniqueName } from '../support/index.ts';

// The broker stopped and started again under load. This needs a broker the test may stop, so
// it runs a private stack (other ports, a temporary home) instead of the suite's shared one.

const home = mkdtempSync(join(tmpdir(), 'optline-broker-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  OPTLINE_STACK_HOME: home,
  OPTLINE_STACK_KAFKA_PORT: '39092',
  OPTLINE_STACK_CONTROLLER_PORT: '39093',
  OPTLINE_STACK_REGISTRY_PORT: '38081',
};
delete env.OPTLINE_KAFKA_BROKERS;
delete env.OPTLINE_SCHEMA_REGISTRY_URL;

let config: OptlineConfig;
let ingress: RunningIngress;

beforeAll(async () => {
  const up = await stackUp(() => undefined, env);
  config = { ...loadConfig({ OPTLINE_KAFKA_BROKERS: up.brokers, OPTLINE_SCHEMA_REGISTRY_URL: up.schemaRegistryUrl }), topicNamespace: uniqueName('it-broker'), ingressPort: 0 };
  ingress = await startIngress({
    config,
    logger: createLogger('ingress', 'fatal'), // the outage's connection errors are expected here
    settings: { ...loadIngressSettings({ OPTLINE_INGRESS_PUBLISH_TIMEOUT: '1s' }), basicAuth: null, hmac: null },
  });
}, 300_000);

afterAll(async () => {
  await ingress?.stop();
  await stackDown(() => undefined, env);
  rmSync(home, { recursive: true, force: true });
}, 120_000);

async function post(id: string): Promise<number> {
  try {
    const res = await fetch(`${ingress.urls![0]}/v1/sinch/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'mo_text', id, from: '421905123456', to: '12345', body: `hello ${id}`, received_at: new Date().toISOString() }),
      signal: AbortSignal.timeout(15_000),
    });
    return res.status;
  } catch {
    return 0;
  }
}

describe('broker outage under load', () => {
  it('answers 503 while the broker is down, 200 after it is back, and loses nothing it accepted', async () => {
    const statuses = new Map<string, number>();
    let seq = 0;
    let running = true;
    const load = (async () => {
      const inflight: Promise<void>[] = [];
      while (running) {
        const id = `m-${String(seq++).padStart(6, '0')}`; // fixed width: no id is a substring of another
        inflight.push(post(id).then((s) => void statuses.set(id, s)));
        await new Promise((r) => setTimeout(r, 50));
      }
      await Promise.all(inflight);
    })();

    await new Promise((r) => setTimeout(r, 2000));
    const kafkaPid = Number(readFileSync(join(home, 'run', 'kafka.pid'), 'utf8'));
    process.kill(kafkaPid, 'SIGKILL');
    const downAt = seq;
    await new Promise((r) => setTimeout(r, 6000));
    const restartAt = seq;
    await stackUp(() => undefined, env); // starts the missing broker only; its data is kept
    await new Promise((r) => setTimeout(r, 4000));
    running = false;
    await load;

    const during = [...statuses].filter(([id]) => Number(id.slice(2)) > downAt + 30 && Number(id.slice(2)) < restartAt).map(([, s]) => s);
    const after = [...statuses].filter(([id]) => Number(id.slice(2)) >= seq - 20).map(([, s]) => s);
    expect(during.length).toBeGreaterThan(10);
    expect(new Set(during)).toEqual(new Set([503]));
    expect(after.every((s) => s === 200), `statuses after the restart: ${after}`).toBe(true);
    for (const s of statuses.values()) expect([200, 503]).toContain(s);

    const accepted = [...statuses].filter(([, s]) => s === 200).map(([id]) => id);
    expect(accepted.length).toBeGreaterThan(40);
    const kafka = createKafka(config);
    const inbound = topicsOf(config.topicNamespace).inbound.name;
    // Avro writes strings as their UTF-8 bytes, so an id can be found in a record's raw value.
    const found = (records: { value: Buffer | null }[], id: string) => records.some((r) => r.value?.includes(id));
    const records = await collect(kafka, inbound, (r) => r.length >= accepted.length && accepted.every((id) => found(r, id)), 60_000);
    for (const id of accepted) expect(found(records, id), id).toBe(true);
  }, 240_000);
});
