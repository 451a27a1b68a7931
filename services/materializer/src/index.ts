import type { ServiceStarter } from '@optline/runtime';
import { Materializer } from './materializer.ts';

export { Materializer, type FlushReport, type MaterializerOptions } from './materializer.ts';
export { materializerTopology } from './topology.ts';
export { factRecord, unwrapFact, type Fact, type MatcherFactRecord } from './facts.ts';
export { consentTrackedNotices, windowEvents, type ConsentTrackedNotice } from './events.ts';
export * from './windows.ts';

/** Test-only: pause between a flush's writes and its commit, so a test can kill the process there. */
const PAUSE_IN_FLUSH_ENV = 'OPTLINE_MATERIALIZER_TEST_PAUSE_IN_FLUSH_MS';

export const start: ServiceStarter = async ({ config, logger }) => {
  const pause = Number(process.env[PAUSE_IN_FLUSH_ENV] ?? 0);
  if (!Number.isInteger(pause) || pause < 0) throw new Error(`${PAUSE_IN_FLUSH_ENV}: '${process.env[PAUSE_IN_FLUSH_ENV]}' must be a whole number of milliseconds`);
  const materializer = new Materializer({ config, logger, ...(pause > 0 ? { pauseInFlushMs: pause } : {}) });
  await materializer.start();
  return { name: 'materializer', metrics: materializer.metrics, stop: () => materializer.stop() };
};
