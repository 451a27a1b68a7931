import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { OptlineConfig } from './config.ts';

export interface ServiceOptions {
  config: OptlineConfig;
  logger: Logger;
}

/** What every service's `start()` returns: something that can be stopped gracefully. */
export interface RunningService {
  name: string;
  /** Addresses a person may want printed (HTTP URLs), if any. */
  urls?: string[];
  /** Prometheus metrics of a service without an HTTP server of its own (served by the CLI). */
  metrics?: Registry;
  stop(): Promise<void>;
}

export type ServiceStarter = (options: ServiceOptions) => Promise<RunningService>;

/**
 * Stops the services on SIGINT/SIGTERM, once; a second signal exits at once. Resolves when
 * they have stopped.
 */
export function stopOnSignal(services: RunningService[], logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, 'stopping');
      Promise.allSettled(services.map((s) => s.stop())).then((results) => {
        for (const [i, r] of results.entries()) {
          if (r.status === 'rejected') logger.error({ err: r.reason, service: services[i]?.name }, 'stop failed');
        }
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
