import type { Kafka } from 'kafkajs';
import { uniqueName } from '@optline/test';

export interface Seen {
  topic: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * One consumer for a whole test file, reading the given topics from the beginning; tests wait
 * (bounded) for the record they expect instead of each joining a consumer group of its own.
 */
export async function watchTopics(kafka: Kafka, topics: string[]) {
  const seen: Seen[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('it-ingress-watch'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(Array.isArray(v) ? v[0] : v);
      seen.push({ topic, key: message.key?.toString() ?? null, value: message.value, headers });
    },
  });
  return {
    seen,
    async waitFor(topic: string, match: (record: Seen) => boolean, count = 1, timeoutMs = 20_000): Promise<Seen[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = seen.filter((r) => r.topic === topic && match(r));
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`${topic}: ${found.length}/${count} matching records within ${timeoutMs} ms (saw ${seen.length} records)`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: () => consumer.disconnect(),
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: { status?: string; id?: string; error?: { code: string; message: string; fields?: { field: string; rule: string; message: string }[] } };
}

export async function post(url: string, body: string | object, headers: Record<string, string> = {}): Promise<Answer> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${url}/v1/sinch/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw, signal: AbortSignal.timeout(15_000) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
}

export function moText(overrides: Record<string, unknown> = {}) {
  return {
    type: 'mo_text',
    id: uniqueName('mo'),
    from: '421905123456',
    to: '+421 911 000 111',
    body: 'STOP please',
    received_at: '2025-06-15T09:34:28.542Z',
    operator_id: '23103',
    ...overrides,
  };
}
