import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeadLetterReason } from '@optline/kafka';
import { EventLog } from '../support/events.ts';
import { collect, testConfig } from '../support/index.ts';
import { seededRandom } from '../support/random.ts';
import { INGRESS_AUTH, startSystem, type System } from '../support/system.ts';
import { randomPhone, Scenario } from '../e2e/helpers.ts';

// 1000 random malformed callbacks and 1000 malformed input records: each is refused or
// dead-lettered with a reason, and every service stays up and keeps working.

let sys: System;
let log: EventLog;

beforeAll(async () => {
  sys = await startSystem(testConfig());
  log = new EventLog(sys);
  await log.start();
}, 180_000);

afterAll(async () => {
  await log?.stop();
  await sys?.stop();
});


const valid = () => ({ type: 'mo_text', id: 'x', from: '421905123456', to: '12345', body: 'STOP', received_at: new Date().toISOString() });

/** A callback broken in one of many ways: a missing or mistyped field, a bad phone, bad JSON. */
function malformedCallback(r: () => number): { body: string | Buffer; contentType: string } {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const cb: Record<string, unknown> = { ...valid(), id: `bad-${Math.floor(r() * 1e9)}` };
  const field = pick(['type', 'id', 'from', 'to', 'body', 'received_at']);
  switch (Math.floor(r() * 8)) {
    case 0: delete cb[field]; break;
    case 1: cb[field] = pick([42, true, null, [], {}, -1.5]); break;
    case 2: cb.from = pick(['', 'abc', '123', '+0000', '42190512345678901234', '0905123456']); break;
    case 3: cb.to = pick(['', 'short', '12', '+1', 'x'.repeat(40)]); break;
    case 4: cb.type = pick(['mo_media', 'MO_TEXT', 'mt_text', '']); break;
    case 5: cb.received_at = pick(['yesterday', '2026-13-45T99:00:00Z', '', 'null']); break;
    case 6: return { body: JSON.stringify(cb).slice(0, Math.floor(r() * 30)), contentType: 'application/json' };
    default: return { body: Buffer.from(Array.from({ length: 1 + Math.floor(r() * 200) }, () => Math.floor(r() * 256))), contentType: pick(['application/json', 'application/octet-stream', 'text/plain']) };
  }
  return { body: JSON.stringify(cb), contentType: 'application/json' };
}

describe('malformed input', () => {
  it('1000 random malformed callbacks: each a 4xx with a JSON error, each kept in the dead-letter topic', async () => {
    const r = seededRandom(20261126);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const { body, contentType } = malformedCallback(r);
      const res = await fetch(`${sys.ingressUrl}/v1/sinch/inbound`, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: `Basic ${Buffer.from(INGRESS_AUTH).toString('base64')}` },
        body,
      });
      const json = (await res.json()) as { error?: { code?: string; message?: string } };
      expect(res.status, `callback ${i}: ${String(body).slice(0, 80)}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(json.error?.code, `callback ${i}`).toBeTruthy();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    expect(statuses.get(400)).toBeGreaterThan(500);
    const refusals = await collect(sys.kafka, sys.topics.deadLetter.name, (recs) => recs.filter((x) => readDeadLetterReason(x.headers).source.includes('/v1/sinch/inbound')).length >= 1000, 60_000);
    const kept = refusals.filter((x) => readDeadLetterReason(x.headers).source.includes('/v1/sinch/inbound'));
    expect(kept).toHaveLength(1000);
    for (const k of kept) expect(readDeadLetterReason(k.headers).rule).toBeTruthy();
  });

  it('1000 malformed input records on the matcher\'s topics: each dead-lettered with its source and rule', async () => {
    const r = seededRandom(42);
    const targets = [sys.topics.inbound.name, sys.topics.customers.name, sys.topics.sent.name];
    const messages = new Map<string, { key: string; value: Buffer }[]>(targets.map((t) => [t, []]));
    for (let i = 0; i < 1000; i++) {
      const topic = targets[i % targets.length]!;
      const kind = Math.floor(r() * 3);
      // Random bytes; a Confluent header naming a schema id that does not exist; a bare Avro-ish prefix.
      const value = kind === 0
        ? Buffer.from(Array.from({ length: 1 + Math.floor(r() * 100) }, () => Math.floor(r() * 256)))
        : kind === 1 ? Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0 + (i % 10)]), Buffer.from('garbage')])
        : Buffer.from([0]);
      messages.get(topic)!.push({ key: `bad-${i}`, value });
    }
    for (const [topic, batch] of messages) await sys.producer.send({ topic, acks: -1, messages: batch });
    const dead = await collect(sys.kafka, sys.topics.deadLetter.name, (recs) => recs.filter((x) => x.key?.startsWith('bad-') && targets.some((t) => readDeadLetterReason(x.headers).source.startsWith(`${t}/`))).length >= 1000, 90_000);
    const ours = dead.filter((x) => x.key?.startsWith('bad-') && targets.some((t) => readDeadLetterReason(x.headers).source.startsWith(`${t}/`)));
    expect(new Set(ours.map((x) => x.key)).size).toBe(1000);
    for (const d of ours) {
      const reason = readDeadLetterReason(d.headers);
      expect(reason.rule, d.key!).toBeTruthy();
      expect(reason.message, d.key!).toBeTruthy();
    }
  });

  it('every service is still up and the pipeline still blacklists after the garbage', async () => {
    for (const url of [sys.ingressUrl, sys.apiUrl]) expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const s = new Scenario(sys, log);
    const project = await s.project();
    const phone = randomPhone();
    await s.reply(project, phone, 'STOP');
    expect(await s.blacklisted(project, phone)).toMatchObject({ status: 'BLOCKED' });
  });
});
