import { describe, expect, it } from 'vitest';
import { topics as topicsOf } from '@optline/kafka';
import { collect } from '../support/index.ts';
import { ingressOnPrivateStackForFile } from '../support/private-stack.ts';

// The broker stopped and started again under load. This needs a broker the test may stop, so
// it runs a private stack (other ports, a temporary home) instead of the suite's shared one.

const fixture = ingressOnPrivateStackForFile({ name: 'it-broker', kafkaPort: 29092, controllerPort: 29093, registryPort: 28081 }, '1s');

async function post(id: string): Promise<number> {
  try {
    const res = await fetch(`${fixture().ingress.urls![0]}/v1/sinch/inbound`, {
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
    fixture().stack.kill();
    const downAt = seq;
    await new Promise((r) => setTimeout(r, 6000));
    const restartAt = seq;
    await fixture().stack.restart(); // starts the missing broker only; its data is kept
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
    const inbound = topicsOf(fixture().stack.config.topicNamespace).inbound.name;
    // Avro writes strings as their UTF-8 bytes, so an id can be found in a record's raw value.
    const found = (records: { value: Buffer | null }[], id: string) => records.some((r) => r.value?.includes(id));
    const records = await collect(fixture().stack.kafka, inbound, (r) => r.length >= accepted.length && accepted.every((id) => found(r, id)), 60_000);
    for (const id of accepted) expect(found(records, id), id).toBe(true);
  }, 240_000);
});
