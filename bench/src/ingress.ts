// bench ingress: POST /v1/sinch/inbound (validation, Avro, publish with acks=all on the real
// broker, 200 after the acknowledgement) against a no-op JSON route on the same server, in the
// same run: the no-op route is the HTTP ceiling of this machine, the ratio is what publishing
// costs. autocannon runs in a worker thread so it does not share the server's event loop.
//
// Both routes run at several concurrencies. At a fixed number of connections a closed-loop load
// measures latency as much as capacity: each connection waits for the broker's acknowledgement
// before it sends again, so the inbound route reaches its peak rate only with more callbacks in
// flight (which group commit then turns into larger produce requests), while the no-op route is
// at its peak from a few connections on. The ceiling ratio compares the peaks; every level's own
// ratio is shown too.
import { randomUUID } from 'node:crypto';
import autocannon, { type AutocannonResult } from 'autocannon';
import { createLogger, loadConfig } from '@optline/runtime';
import { createKafka } from '@optline/kafka';
import { jsonBody } from '@optline/http';
import { loadIngressSettings, startIngress, type RunningIngress } from '@optline/ingress';
import { deleteNamespace, formatTable, median } from './harness.ts';

const CONNECTION_LEVELS = (process.env.BENCH_INGRESS_CONNECTIONS ?? '50,100,200').split(',').map((level) => {
  const n = Number(level.trim());
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_INGRESS_CONNECTIONS: '${level}' must be a whole number of connections, at least 1 (a comma-separated list, e.g. 50,100,200)`);
  return n;
});
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

async function load(url: string, path: string, bodies: string[], seconds: number, connections: number): Promise<AutocannonResult> {
  return autocannon({
    url,
    connections,
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
    ] as const;
    const top = Math.max(...CONNECTION_LEVELS);
    for (const c of cases) {
      process.stderr.write(`ingress: warm-up ${c.path}\n`);
      await load(ingress.url, c.path, bodies, WARMUP_SECONDS, top);
    }
    // results[level][case][run]; a round measures every level of both routes back to back, so the
    // VM's drift between fast and slow phases (ceilings of 14k-32k req/s) hits both alike.
    const results = CONNECTION_LEVELS.map(() => cases.map(() => [] as AutocannonResult[]));
    for (let run = 1; run <= RUNS; run++) {
      for (const [l, connections] of CONNECTION_LEVELS.entries()) {
        for (const [c, { path }] of cases.entries()) {
          const result = await load(ingress.url, path, bodies, RUN_SECONDS, connections);
          results[l]![c]!.push(result);
          process.stderr.write(`ingress: run ${run}/${RUNS}, ${connections} connections, ${path}: ${Math.round(result.requests.average)} req/s, ${result.non2xx} non-2xx, ${result.errors} errors\n`);
        }
      }
    }
    const metrics = await (await fetch(`${ingress.url}/metrics`)).text();
    const sum = Number(/optline_ingress_batch_records_sum\{[^}]*result="ok"[^}]*\} (\S+)/.exec(metrics)?.[1] ?? NaN);
    const count = Number(/optline_ingress_batch_records_count\{[^}]*result="ok"[^}]*\} (\S+)/.exec(metrics)?.[1] ?? NaN);

    const rate = (l: number, c: number, run: number) => results[l]![c]![run]!.requests.average;
    const runs = Array.from({ length: RUNS }, (_, run) => run);
    const rows = CONNECTION_LEVELS.flatMap((connections, l) =>
      cases.map((c, ci) => {
        const rs = results[l]![ci]!;
        return [
          c.name,
          String(connections),
          String(Math.round(median(rs.map((r) => r.requests.average)))),
          median(rs.map((r) => r.latency.p50)).toFixed(1),
          median(rs.map((r) => r.latency.p99)).toFixed(1),
          String(rs.reduce((n, r) => n + r.non2xx + r.errors, 0)),
          `${(median(runs.map((run) => rate(l, ci, run) / rate(l, 0, run))) * 100).toFixed(0)} %`,
        ];
      }),
    );
    // Per round: the best rate of each route over the levels, then the median of those ratios.
    const peak = (c: number, run: number) => Math.max(...CONNECTION_LEVELS.map((_, l) => rate(l, c, run)));
    const ceilingRatio = median(runs.map((run) => peak(1, run) / peak(0, run)));
    const title = `ingress: ${settings.producers} producers, median of ${RUNS} rounds of ${RUN_SECONDS} s per case and level (autocannon in a worker thread; real broker, acks=all)`;
    const table = formatTable(['case', 'connections', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx+errors', 'of no-op at same connections'], rows);
    process.stdout.write(
      `\n${title}\n\n${table}\n\n` +
        `records per produce request (group commit): ${(sum / count).toFixed(1)} on average over ${count} requests\n` +
        `peak rate of POST /v1/sinch/inbound vs peak rate of the no-op route (best level of each, per round; median): ${(ceilingRatio * 100).toFixed(0)} %\n` +
        `target: POST /v1/sinch/inbound at >= 50 % of the ceiling: ${ceilingRatio >= 0.5 ? 'met' : 'NOT met'}\n\n`,
    );
  } finally {
    await ingress?.stop();
    await deleteNamespace(createKafka(config), namespace);
  }
}
