// The matcher in a process of its own, for `bench matcher-vs-streams`: its CPU time is then
// the process's (/proc/<pid>/stat), as the JVM's is. Configured by the OPTLINE_* environment;
// prints "ready" once started and stops on SIGTERM.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createMetricsRegistry, loadConfig } from '@optline/runtime';
import { loadMatcherSettings, Matcher } from '@optline/matcher';

const stateDir = await mkdtemp(join(tmpdir(), 'bench-mvs-matcher-'));
const matcher = new Matcher({
  config: { ...loadConfig(), stateDir }, logger: createLogger('bench-matcher', 'error'), registry: createMetricsRegistry('matcher'),
  // The service's own settings (OPTLINE_MATCHER_*: record and time bounds of a transaction, concurrency), as `optline run matcher` reads them.
  ...loadMatcherSettings(),
  ...(process.env.OPTLINE_BENCH_MATCHER_CONCURRENCY ? { concurrency: Number(process.env.OPTLINE_BENCH_MATCHER_CONCURRENCY) } : {}),
});
await matcher.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void matcher.stop().finally(async () => {
    await rm(stateDir, { recursive: true, force: true });
    process.exit(0);
  });
});
