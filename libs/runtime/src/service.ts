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

export interface StopOptions {
  /** Past this after the signal, the services still stopping are named and the process exits 1 (default 8 s). */
  deadlineMs?: number;
}

/**
 * Stops the services on SIGINT/SIGTERM, once; a second signal exits at once. Resolves when
 * they have stopped. A stop that hangs (a client retrying a broker that is gone) must not keep
 * the process up: past the deadline the ones still stopping are logged and the process exits.
 */
export function stopOnSignal(services: RunningService[], logger: Logger, options: StopOptions = {}): Promise<void> {
  const deadlineMs = options.deadlineMs ?? 8000;
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, 'stopping');
      const pending = new Set(services.map((s) => s.name));
      const deadline = setTimeout(() => {
        logger.error({ services: [...pending], resources: process.getActiveResourcesInfo() }, `not stopped within ${deadlineMs} ms; exiting anyway`);
        process.exit(1);
      }, deadlineMs);
      Promise.allSettled(services.map((s) => s.stop().finally(() => pending.delete(s.name)))).then((results) => {
        clearTimeout(deadline);
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

/**
 * Called once everything was stopped: the process should now end by itself. If a socket, timer
 * or retry loop nobody stopped still holds it `graceMs` later, that is a leak: it is logged with
 * what is still active, and the process exits anyway. The timer is unref'd, so it never delays
 * a process that ends on its own.
 */
export function exitWhenIdle(logger: Logger, graceMs = 2000): void {
  setTimeout(() => {
    logger.error({ resources: process.getActiveResourcesInfo() }, `still running ${graceMs} ms after every service stopped; exiting anyway`);
    process.exit(process.exitCode ?? 1);
  }, graceMs).unref();
}
