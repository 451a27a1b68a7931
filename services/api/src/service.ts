import type { Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import { BlacklistClient } from '@optline/blacklist-client';
import { listen, type Readiness } from '@optline/http';
import { AvroSerde, Codec, createKafka, provisionTopicsFirst, TailTimeoutError } from '@optline/kafka';
import { createMetricsRegistry, type Logger, type RunningService, type ServiceOptions } from '@optline/runtime';
import { SettingsTable, SettingsWriter } from '@optline/settings-table';
import { buildApiApp } from './app.ts';
import { BlacklistCommands } from './blacklist/commands.ts';
import { BlacklistHistoryStore } from './blacklist/history-store.ts';
import { ReviewQueue } from './possible/review-queue.ts';
import { apiMetrics } from './metrics.ts';
import { loadApiOptions, type ApiOptions } from './options.ts';
import { ActivityReader } from './overview/reader.ts';
import { apiTopology } from './topology.ts';

export interface ApiServiceOptions extends ServiceOptions {
  /** Default: from the environment (loadApiOptions). */
  api?: ApiOptions;
  now?: () => number;
}

export interface RunningApi extends RunningService {
  url: string;
  registry: Registry;
  /** Resolves once the blacklist and the settings have been read up to where they ended at start. */
  ready: Promise<void>;
}

interface Table {
  ready(timeoutMs: number): Promise<void>;
  lag(): number;
}

/** Waits for a table to catch up, however long it takes, saying how far behind it is meanwhile. */
async function caughtUp(name: string, table: Table, logger: Logger, stopped: () => boolean): Promise<void> {
  for (;;) {
    try {
      return await table.ready(30_000);
    } catch (error) {
      if (stopped() || !(error instanceof TailTimeoutError)) throw error;
      logger.warn({ table: name, lag: table.lag() }, 'still catching up');
    }
  }
}

export async function startApi(options: ApiServiceOptions): Promise<RunningApi> {
  const { config, logger } = options;
  const api = options.api ?? loadApiOptions();
  if (api.tokenGenerated) {
    logger.warn({ token: api.token, host: api.host }, 'OPTLINE_API_TOKEN is not set: use this generated Bearer token; the API listens on loopback only');
  }
  await provisionTopicsFirst(config, logger);
  const topology = apiTopology(config.topicNamespace);
  const registry = createMetricsRegistry('api');
  const kafka = createKafka(config, logger, `${config.clientId}-api`);
  const serde = new AvroSerde(config.schemaRegistryUrl, topology.topics);
  // Every read decodes through the one codec; the serde encodes.
  const codec = new Codec(serde);
  const producer: Producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  const blacklist = new BlacklistClient({ config, logger, kafka, codec, metrics: registry });
  const commands = new BlacklistCommands({ producer, serde, topic: topology.writes.blacklistCommands.name, blacklist });
  const history = new BlacklistHistoryStore({ kafka, codec, topics: topology.topics, namespace: config.topicNamespace, logger });
  let historyCaught = false;
  const reviewQueue = new ReviewQueue({ kafka, codec, producer, topics: topology.topics, namespace: config.topicNamespace, logger });
  const settings = new SettingsTable({ config, logger, kafka, codec, producer, metrics: registry });
  // Every instance is a candidate; the consumer group makes exactly one the settings writer.
  const activity = new ActivityReader({ kafka, codec, topics: topology.topics, namespace: config.topicNamespace, logger: logger.child({ component: 'overview' }) });
  const writer = new SettingsWriter({ config, logger: logger.child({ component: 'settings-writer' }), kafka, codec, table: settings, metrics: registry });

  let stopping = false;
  const caught = { blacklist: false, settings: false };
  const stopAll = async () => {
    await writer.stop().catch(() => undefined);
    await Promise.allSettled([blacklist.stop(), settings.stop(), history.stop(), activity.stop(), reviewQueue.stop()]);
    await producer.disconnect();
  };
  try {
    // What it writes is registered with the tails' start, not left to start's provisioning of
    // every schema: a send check's first refusal (enqueue_failed) would wait behind all of them.
    await Promise.all([blacklist.start(), settings.start(), history.start(), reviewQueue.start(), serde.registerTopics(Object.values(topology.writes))]);
    await settings.openWrites();
  } catch (error) {
    await stopAll();
    throw error;
  }
  // The settings writer's group join is not waited for: after a crash it lasts until the dead
  // member's session ends (~10 s), and only PUT sms-settings needs a writer (its command waits
  // for the outcome, on this instance or another). Reads and the send check answer meanwhile.
  writer.start().catch((error: unknown) => {
    if (!stopping) logger.error({ err: error }, 'the settings writer did not start; settings changes wait for another instance\'s');
  });
  // The Overview only: it catches up in the background and never holds readiness.
  activity.start().catch((error: unknown) => logger.warn({ err: error }, 'overview: activity topics not read'));
  const ready = Promise.all([
    caughtUp('blacklist', blacklist, logger, () => stopping).then(() => (caught.blacklist = true)),
    caughtUp('settings', settings, logger, () => stopping).then(() => (caught.settings = true)),
  ]).then(() => logger.info({ blacklisted: blacklist.size, projects: settings.size }, 'api caught up'));
  // The history does not hold /v1 back: only its own route waits for it.
  caughtUp('blacklist history', history, logger, () => stopping).then(() => (historyCaught = true), (error: unknown) => {
    if (!stopping) logger.error({ err: error }, 'api could not read the blacklist history');
  });
  ready.catch((error: unknown) => {
    if (!stopping) logger.error({ err: error }, 'api could not catch up');
  });
  const readiness = (): Readiness => {
    if (stopping) return { ready: false, reason: 'shutting down' };
    // A table whose consumer crashed for good answers from a copy that no longer follows its topic.
    const failure = blacklist.failure ?? settings.failure;
    if (failure) return { ready: false, reason: failure.message };
    const behind = Object.entries(caught).filter(([, done]) => !done).map(([name]) => name);
    if (behind.length) return { ready: false, reason: `still reading ${behind.join(' and ')} (${blacklist.lag() + settings.lag()} records behind)` };
    return { ready: true };
  };

  const app = await buildApiApp({
    logger, registry, token: api.token, bodyLimit: api.bodyLimit, ready: readiness,
    blacklist, settings, producer, serde, campaignTopic: topology.writes.campaign.name, metrics: apiMetrics(registry),
    commands, history, historyReady: () => historyCaught, activity: activity.activity, reviewQueue,
    ...(options.now ? { now: options.now } : {}),
  });
  let url: string;
  try {
    url = await listen(app, { port: config.apiPort, host: api.host });
  } catch (error) {
    await stopAll();
    throw error;
  }
  logger.info({ url, blacklist: topology.reads.blacklist.name, settings: topology.reads.settings.name }, 'api listening');

  return {
    name: 'api',
    url,
    urls: [url],
    registry,
    ready,
    async stop() {
      if (stopping) return;
      stopping = true;
      await app.close();
      await stopAll();
      logger.info('api stopped');
    },
  };
}
