import { createRequire } from 'node:module';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type RetryOptions } from 'kafkajs';
import type { Logger, OptlineConfig } from '@optline/runtime';

// kafkajs' own retry warnings (e.g. CONCURRENT_TRANSACTIONS while a transaction completes) are
// expected noise on a healthy broker: route them to debug, keep errors.
const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'warn',
  [logLevel.WARN]: 'debug',
  [logLevel.INFO]: 'debug',
  [logLevel.DEBUG]: 'debug',
};

// Broker answers that kafkajs logs as errors and then retries, and that every start meets while
// groups join and transactional producers initialise: the group or transaction coordinator is
// being found, loads or moves, a group rebalances, new topics elect their leaders. They are
// logged at debug; when a retry gives up, the caller's error is still logged as one.
const EXPECTED_DURING_JOIN = new Set([
  'GROUP_LOAD_IN_PROGRESS', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR_FOR_GROUP', 'REBALANCE_IN_PROGRESS',
  'MEMBER_ID_REQUIRED', 'CONCURRENT_TRANSACTIONS', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION',
]);
const { errorCodes } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as { errorCodes: Array<{ type: string; message: string }> };
const EXPECTED_MESSAGES = errorCodes.filter((e) => EXPECTED_DURING_JOIN.has(e.type)).map((e) => e.message);

/** The error kafkajs' retries end with when their client disconnects (patches/kafkajs+2.2.4+004+cancel-retries.patch). */
export const DISCONNECTED = 'The client was disconnected';

/** True for the protocol errors a group join or a transactional producer's start is expected to meet. */
export function isExpectedDuringJoin(error: unknown): boolean {
  const { type, message } = (error ?? {}) as { type?: unknown; message?: unknown };
  if (typeof type === 'string') return EXPECTED_DURING_JOIN.has(type);
  return typeof message === 'string' && EXPECTED_MESSAGES.some((m) => message.includes(m));
}

/** The level a kafkajs log entry is logged at (kafkajs' own level, translated, or debug when expected). */
export function kafkajsLevel(entry: Pick<LogEntry, 'level' | 'namespace'> & { log: { message: string; error?: unknown } }): 'error' | 'warn' | 'info' | 'debug' {
  const level = LEVELS[entry.level] ?? 'debug';
  if (level === 'debug') return level;
  const { message, error } = entry.log;
  const text = `${message} ${typeof error === 'string' ? error : ''}`;
  // A retry that gave up is trouble, whatever it was retrying.
  if (!/RetriesExceeded/.test(text) && isExpectedDuringJoin({ message: text })) return 'debug';
  // The crash it follows is logged on its own (at debug only when it was expected).
  if (entry.namespace === 'Consumer' && message.startsWith('Restarting the consumer')) return 'debug';
  // Retries the disconnect ended (patches/ 004): what a stop is meant to do.
  if (text.includes(DISCONNECTED)) return 'debug';
  return level;
}

/**
 * `overrides` replaces the shared defaults for one client: e.g. a `socketFactory` that routes
 * broker connections through a test proxy, so an outage can be simulated without stopping the
 * shared broker.
 */
export function createKafka(config: Pick<OptlineConfig, 'kafkaBrokers' | 'clientId'>, logger?: Logger, clientId?: string, overrides: Partial<KafkaConfig> = {}): Kafka {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const retry = overrides.retry ?? { initialRetryTime: 100, retries: 8 };
  const kafka = new Kafka({
    brokers: config.kafkaBrokers,
    clientId: clientId ?? config.clientId,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    logLevel: logger ? logLevel.INFO : logLevel.NOTHING,
    logCreator: () => (entry: LogEntry) => {
      if (!logger) return;
      const { message, ...rest } = entry.log;
      logger[kafkajsLevel(entry)]({ kafkajs: entry.namespace, ...rest }, message);
    },
    ...overrides,
    retry,
  });
  clientRetry.set(kafka, retry);
  return kafka;
}

// kafkajs keeps a client's retry options private; a consumer made by stoppableConsumer must
// still honour the client's restartOnFailure.
const clientRetry = new WeakMap<Kafka, RetryOptions>();

/** The retry options createKafka gave this client (undefined for a client made elsewhere). */
export function retryOptionsOf(kafka: Kafka): RetryOptions | undefined {
  return clientRetry.get(kafka);
}
