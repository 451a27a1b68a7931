// bench ingress: POST /v1/sinch/inbound (validation, Avro, publish with acks=all on the real
// broker, 200 after the acknowledgement) against a no-op JSON route on the same server, in the
// same run: the no-op route is the HTTP ceiling of this machine, the ratio is what publishing
// costs. autocannon runs in a worker thread so it does not share the server's event loop.
import { randomUUID } from 'node:crypto';
import autocannon, { type AutocannonResult } from 'autocannon';
import { createLogger, loadConfig } from '@optline/runtime';
import { createKafka } from '@optline/kafka';
import { jsonBody } from '@optline/http';
import { loadIngressSettings, startIngress, type RunningIngress } from '@optline/ingress';
import { deleteNamespace, formatTable, median } from './harness.ts';

const CONNECTIONS = Number(process.env.BENCH_INGRESS_CONNECTIONS ?? 50);
const RUN_SECONDS = 3;
const RUNS = 5;
const WARMUP_SECONDS = 2;
const NOOP_PATH = '/bench/noop';

// Distinct senders spread the records over the topic's partitions, as real replies do.
function callbacks(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      type: 'mo_text',
      id: `bench-${randomUUID()}`,
      from: `4219051234${String(i).padStart(2, '0')}`,
      to: '12345',
      body: 'STOP',
      received_at: new Date().toISOString(),
      operator_id: '23103',
    }),
  );
}

async function load(url: string, path: string, bodies: string[], seconds: number): Promise<AutocannonResult> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    workers: 1,
    requests: bodies.map((body) => ({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body })),
  });
}


export async function run(): Promise<void> {
  const namespace = `bench-ingress-${randomUUID().slice(0, 8)}`;
  const config = { ...loadConfig(), topicNamespace: namespace, ingressPort: 0 };
  const logger = createLogger('bench-ingress', 'error');
  const bodies = callbacks(32);
  // No auth (the bench measures publishing); producers as configured.
  const settings = loadIngressSettings({ OPTLINE_INGRESS_PRODUCERS: process.env.OPTLINE_INGRESS_PRODUCERS });
  let ingress: RunningIngress | undefined;
  try {
    ingress = await startIngress({
      config,
      logger,
      settings,
      extraRoutes: async (scope) => {
        await scope.register(jsonBody);
        scope.post(NOOP_PATH, async () => ({ status: 'ok' }));
      },
    });
    const cases = [
      { name: 'no-op JSON route (HTTP ceiling)', path: NOOP_PATH },
      { name: 'POST /v1/sinch/inbound, acks=all', path: '/v1/sinch/inbound' },
    ];
    for (const c of cases) {
      process.stderr.write(`ingress: warm-up ${c.path}\n`);
      await load(ingress.url, c.path, bodies, WARMUP_SECONDS);
    }
    const results = new Map(cases.map((c) => [c.name, [] as AutocannonResult[]]));
    for (let i = 1; i <= RUNS; i++) {
      for (const c of cases) {
        const result = await load(ingress.url, c.path, bodies, RUN_SECONDS);
        results.get(c.name)!.push(result);
        process.stderr.write(`ingress: run ${i}/${RUNS} ${c.path}: ${Math.round(result.requests.average)} req/s, ${result.requests.total} requests, ${result.non2xx} non-2xx, ${result.errors} errors\n`);
      }
    }
    const metrics = await (await fetch(`${ingress.url}/metrics`)).text();
    const sum = Number(/optline_ingress_batch_records_sum\{[^}]*result="ok"[^}]*\} (\S+)/.exec(metrics)?.[1] ?? NaN);
    const count = Number(/optline_ingress_batch_records_count\{[^}]*result="ok"[^}]*\} (\S+)/.exec(metrics)?.[1] ?? NaN);

    // Each run's inbound rate against the ceiling measured right before it, then the median of
    // those ratios: this VM drifts between fast and slow phases (ceilings of 15k-27k req/s), and a
    // ratio of two medians taken from different phases says more about the drift than the route.
    const ceilings = results.get(cases[0]!.name)!.map((r) => r.requests.average);
    const rows = cases.map((c) => {
      const runs = results.get(c.name)!;
      const rps = median(runs.map((r) => r.requests.average));
      const failures = runs.reduce((n, r) => n + r.non2xx + r.errors, 0);
      const ratio = median(runs.map((r, i) => r.requests.average / ceilings[i]!));
      return [
        c.name,
        String(Math.round(rps)),
        median(runs.map((r) => r.latency.p50)).toFixed(1),
        median(runs.map((r) => r.latency.p99)).toFixed(1),
        String(failures),
        `${(ratio * 100).toFixed(0)} %`,
      ];
    });
    const inboundRatio = median(results.get(cases[1]!.name)!.map((r, i) => r.requests.average / ceilings[i]!));
    const title = `ingress: ${settings.producers} producers, ${CONNECTIONS} connections, median of ${RUNS} runs of ${RUN_SECONDS} s each (autocannon in a worker thread; real broker, acks=all)`;
    const table = formatTable(['case', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx+errors', 'of ceiling (median of runs)'], rows);
    process.stdout.write(`\n${title}\n\n${table}\n\nrecords per produce request (group commit): ${(sum / count).toFixed(1)} on average over ${count} requests\ntarget: POST /v1/sinch/inbound at >= 50 % of the ceiling: ${inboundRatio >= 0.5 ? 'met' : 'NOT met'}\n\n`);
  } finally {
    await ingress?.stop();
    await deleteNamespace(createKafka(config), namespace);
  }
}
