import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { Logger, OptlineConfig } from '@optline/runtime';

// kafkajs' own retry warnings (e.g. CONCURRENT_TRANSACTIONS while a transaction completes) are
// expected noise on a healthy broker: route them to debug, keep errors.
const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'warn',
  [logLevel.WARN]: 'debug',
  [logLevel.INFO]: 'debug',
  [logLevel.DEBUG]: 'debug',
};

/**
 * `overrides` replaces the shared defaults for one client: e.g. a `socketFactory` that routes
 * broker connections through a test proxy, so an outage can be simulated without stopping the
 * shared broker.
 */
export function createKafka(config: Pick<OptlineConfig, 'kafkaBrokers' | 'clientId'>, logger?: Logger, clientId?: string, overrides: Partial<KafkaConfig> = {}): Kafka {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  return new Kafka({
    brokers: config.kafkaBrokers,
    clientId: clientId ?? config.clientId,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, retries: 8 },
    logLevel: logger ? logLevel.INFO : logLevel.NOTHING,
    logCreator: () => (entry: LogEntry) => {
      if (!logger) return;
      const { message, ...rest } = entry.log;
      logger[LEVELS[entry.level] ?? 'debug']({ kafkajs: entry.namespace, ...rest }, message);
    },
    ...overrides,
  });
}
