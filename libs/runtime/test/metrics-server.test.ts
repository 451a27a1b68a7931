import { afterEach, describe, expect, it } from 'vitest';
import { Counter } from 'prom-client';
import { createMetricsRegistry } from '../src/metrics.ts';
import { serveMetrics } from '../src/metrics-server.ts';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('serveMetrics', () => {
  it('serves one registry at /metrics in the Prometheus text format', async () => {
    const registry = createMetricsRegistry('matcher');
    new Counter({ name: 'optline_test_total', help: 'a test counter', registers: [registry] }).inc(3);
    const server = await serveMetrics({ matcher: registry }, 0);
    close = server.close;
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/optline_test_total\{service="matcher"\} 3/);
    expect(text).toMatch(/process_cpu_user_seconds_total/);
  });

  it('serves several registries under /metrics/<name>, and a JSON 404 elsewhere', async () => {
    const server = await serveMetrics({ matcher: createMetricsRegistry('matcher'), materializer: createMetricsRegistry('materializer') }, 0);
    close = server.close;
    expect(await (await fetch(`${server.url}/materializer`)).text()).toMatch(/service="materializer"/);
    const missing = await fetch(server.url);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/\/metrics\/matcher, \/metrics\/materializer/);
  });
});
