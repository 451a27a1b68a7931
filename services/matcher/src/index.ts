import { createMetricsRegistry, type RunningService, type ServiceStarter } from '@optline/runtime';
import { Matcher } from './matcher.ts';
import { loadMatcherSettings } from './options.ts';

export { Matcher, type MatcherOptions } from './matcher.ts';
export { matcherTopology, type MatcherTopology } from './topology.ts';
export { assignTasks } from '@optline/kafka';
export { loadMatcherSettings, type MatcherSettings } from './options.ts';

/** `npx optline run matcher`: one member of the matcher group, RocksDB under OPTLINE_STATE_DIR. */
export const start: ServiceStarter = async ({ config, logger }): Promise<RunningService & { matcher: Matcher }> => {
  const registry = createMetricsRegistry('matcher');
  const matcher = new Matcher({ config, logger, registry, ...loadMatcherSettings() });
  try {
    await matcher.start();
  } catch (error) {
    await matcher.stop().catch(() => undefined);
    throw error;
  }
  return { name: 'matcher', matcher, metrics: registry, stop: () => matcher.stop() };
};
