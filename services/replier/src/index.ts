import { parseDuration, type ServiceStarter } from '@optline/runtime';
import { sinchFromEnv } from '@optline/sinch';
import { Replier } from './replier.ts';

export { Replier, type ReplierOptions } from './replier.ts';
export { replierTopology } from './topology.ts';
export { PartitionProgress } from './progress.ts';

/**
 * `optline run replier`. Without Sinch credentials it reads nothing and says so: replies wait
 * on their topic (and are sent once it runs with credentials, within the give-up time).
 */
export const start: ServiceStarter = async ({ config, logger }) => {
  const sinch = sinchFromEnv();
  if (sinch === null) {
    logger.warn('OPTLINE_SINCH_SERVICE_PLAN_ID and OPTLINE_SINCH_API_TOKEN are not set: NO automatic replies are sent (they wait on their topic)');
    return { name: 'replier', stop: async () => undefined };
  }
  const giveUp = process.env.OPTLINE_REPLIER_GIVE_UP;
  const maxInFlight = process.env.OPTLINE_REPLIER_MAX_IN_FLIGHT;
  const replier = new Replier({
    config, logger, sinch,
    ...(giveUp ? { giveUpMs: parseDuration(giveUp, 'OPTLINE_REPLIER_GIVE_UP') } : {}),
    ...(maxInFlight ? { maxInFlight: Number(maxInFlight) } : {}),
  });
  await replier.start();
  return { name: 'replier', metrics: replier.metrics, stop: () => replier.stop() };
};
