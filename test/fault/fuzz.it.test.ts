import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngress, loadIngressSettings, type InboundSms, type RunningIngress } from '@optline/ingress';
import { AvroSerde, Codec, createKafka, readDeadLetterReason, topics as topicsOf } from '@optline/kafka';
import { createLogger } from '@optline/runtime';
import { parseStrictJson } from '@optline/http';
import { collect, testConfig, uniqueName } from '../support/index.ts';
import { mutatedCallback } from '../support/mutate.ts';
import { seededRandom } from '../support/random.ts';

// Ingress under mutated callbacks from an authenticated caller (issue #15): no 5xx; every 4xx is
// JSON naming a field and is kept, byte for byte, on the dead-letter topic; every 2xx is on
// sms.inbound.v1 with id and body exactly as sent. OPTLINE_FUZZ_SEED / OPTLINE_FUZZ_COUNT
// reproduce or widen a run.

const SEED = Number(process.env.OPTLINE_FUZZ_SEED ?? 20261201);
const COUNT = Number(process.env.OPTLINE_FUZZ_COUNT ?? 1200);
const CONCURRENCY = 8;
const BASIC = `Basic ${Buffer.from('sinch:fuzz').toString('base64')}`;
const config = testConfig({ topicNamespace: uniqueName('it-fuzz'), ingressPort: 0 });
const named = topicsOf(config.topicNamespace);
let ingress: RunningIngress;

beforeAll(async () => {
  ingress = await startIngress({ config, logger: createLogger('ingress', 'fatal'), settings: { ...loadIngressSettings({}), basicAuth: { user: 'sinch', password: 'fuzz' }, hmac: null } });
});

afterAll(async () => {
  await ingress?.stop();
});

interface Outcome {
  raw: Buffer;
  status: number;
  body: { id?: string; error?: { code?: string; message?: string; fields?: { field?: unknown; rule?: unknown }[] } };
}

describe(`ingress fuzz (seed ${SEED})`, () => {
  it(`${COUNT} mutated callbacks: no 5xx, every 4xx names a field and is dead-lettered as sent, every 2xx is on the inbound topic as sent`, async () => {
    const r = seededRandom(SEED);
    const runId = uniqueName('fz');
    const bodies = Array.from({ length: COUNT }, (_, i) => mutatedCallback(r, `${runId}-${String(i).padStart(5, '0')}`));
    const started = performance.now();
    const outcomes: Outcome[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const raw = bodies[next++]!;
        const res = await fetch(`${ingress.url}/v1/sinch/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: BASIC }, body: raw, signal: AbortSignal.timeout(15_000) });
        outcomes.push({ raw, status: res.status, body: (await res.json()) as Outcome['body'] });
      }
    }));
    const seconds = (performance.now() - started) / 1000;

    const byStatus = new Map<number, number>();
    for (const o of outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
    console.log(`fuzz seed ${SEED}: ${COUNT} callbacks in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(byStatus))}`);
    const shown = (o: Outcome) => `${o.status} ${JSON.stringify(o.body)} for ${JSON.stringify(o.raw.toString('latin1').slice(0, 300))}`;
    for (const o of outcomes) {
      expect(o.status, shown(o)).toBeLessThan(500);
      if (o.status >= 400) {
        expect(o.body.error?.code, shown(o)).toEqual(expect.any(String));
        expect(o.body.error?.fields?.length, shown(o)).toBeGreaterThan(0);
        for (const f of o.body.error!.fields!) expect([typeof f.field, typeof f.rule], shown(o)).toEqual(['string', 'string']);
      }
    }
    const accepted = outcomes.filter((o) => o.status === 200);
    const refused = outcomes.filter((o) => o.status >= 400);
    // Both kinds in numbers: a mutator that broke everything (or nothing) would prove little.
    expect(accepted.length).toBeGreaterThan(COUNT / 10);
    expect(refused.length).toBeGreaterThan(COUNT / 3);

    const kafka = createKafka(config);
    const dead = await collect(kafka, named.deadLetter.name, (recs) => recs.length >= refused.length, 60_000);
    const deadBytes = new Set(dead.map((d) => d.value?.toString('hex')));
    for (const o of refused) {
      expect(deadBytes.has(o.raw.toString('hex')), `not dead-lettered: ${shown(o)}`).toBe(true);
    }
    for (const d of dead) expect(readDeadLetterReason(d.headers)).toMatchObject({ source: 'POST /v1/sinch/inbound', rule: expect.any(String) });

    const codec = new Codec(new AvroSerde(config.schemaRegistryUrl, named));
    const inbound = await collect(kafka, named.inbound.name, (recs) => recs.length >= accepted.length, 60_000);
    const written = new Map<string, InboundSms[]>();
    for (const rec of inbound) {
      const sms = await codec.decode<InboundSms>('InboundSms', rec.value);
      written.set(sms.id, [...(written.get(sms.id) ?? []), sms]);
    }
    for (const o of accepted) {
      const sent = parseStrictJson(o.raw);
      if (!sent.ok) throw new Error(`accepted but not strict JSON: ${shown(o)}`);
      const { id, body } = sent.value as { id: string; body: string };
      expect(o.body.id).toBe(id);
      expect(written.get(id)?.map((s) => Buffer.from(s.body).equals(Buffer.from(body))), `inbound record of ${shown(o)}`).toContain(true);
    }
    expect(seconds).toBeLessThan(90);
  }, 240_000);
});
