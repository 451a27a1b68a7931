// Helpers of the API's integration tests (also used by the CLI's tests of the API commands).
import type { Producer } from 'kafkajs';
import { AvroSerde, createKafka, topics as topicsOf, type Topics } from '@optline/kafka';
import { createLogger, type OptlineConfig } from '@optline/runtime';
import { testConfig, uniqueName } from '@optline/test';
import { API_BODY_LIMIT, startApi, type RunningApi } from '../src/index.ts';

export const TOKEN = 'it-api-token';

export interface TestApi {
  config: OptlineConfig;
  api: RunningApi;
  topics: Topics;
  serde: AvroSerde;
  producer: Producer;
  call(method: string, path: string, body?: unknown, token?: string | null, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

/** An API on a port of its own, over topics of a namespace of its own (or `namespace`, to share one), caught up. */
export async function startTestApi(prefix: string, namespace = uniqueName(prefix)): Promise<TestApi> {
  const config = testConfig({ topicNamespace: namespace, apiPort: 0 });
  const api = await startApi({
    config,
    logger: createLogger('api', process.env.OPTLINE_TEST_LOG_LEVEL ?? 'silent'),
    api: { token: TOKEN, tokenGenerated: false, host: '127.0.0.1', bodyLimit: API_BODY_LIMIT },
  });
  await api.ready;
  const topics = topicsOf(config.topicNamespace);
  const serde = new AvroSerde(config.schemaRegistryUrl, topics);
  const producer = createKafka(config).producer({ idempotent: true });
  await producer.connect();
  return {
    config, api, topics, serde, producer,
    async call(method, path, body, token = TOKEN, extra = {}) {
      const headers: Record<string, string> = { ...extra };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${api.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await res.text();
      return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text, headers: res.headers };
    },
    async stop() {
      await producer.disconnect();
      await api.stop();
    },
  };
}

/** Retries `check` until it stops throwing, for at most `timeoutMs`; then rethrows its error. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}
