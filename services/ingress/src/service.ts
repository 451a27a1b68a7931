import type { FastifyPluginAsync } from 'fastify';
import type { KafkaConfig } from 'kafkajs';
import type { Registry } from 'prom-client';
import { createMetricsRegistry, type Logger, type RunningService, type ServiceOptions } from '@optline/runtime';
import { AvroSerde, createKafka, provisionTopicsFirst } from '@optline/kafka';
import { isLoopback, listen } from '@optline/http';
import { buildIngressApp } from './app.ts';
import { ingressMetrics } from './metrics.ts';
import { BatchingPublisher } from './publisher.ts';
import { loadIngressSettings, type IngressSettings } from './settings.ts';
import { ingressTopology } from './topology.ts';

export interface IngressOptions extends ServiceOptions {
  /** Default: from the environment (loadIngressSettings). */
  settings?: IngressSettings;
  /** For the Kafka client of the producer only, e.g. a socketFactory in tests. */
  kafkaOverrides?: Partial<KafkaConfig>;
  /** More routes on the same server (the ingress bench adds a no-op baseline route). */
  extraRoutes?: FastifyPluginAsync;
}

export interface RunningIngress extends RunningService {
  url: string;
  registry: Registry;
}

function bindHost(settings: IngressSettings, logger: Logger): string {
  if (settings.basicAuth || settings.hmac) return settings.host;
  const host = isLoopback(settings.host) ? settings.host : '127.0.0.1';
  logger.warn(
    { requestedHost: settings.host, host },
    'no auth configured (OPTLINE_INGRESS_BASIC_AUTH, OPTLINE_SINCH_HMAC_SECRET): ingress listens on loopback only',
  );
  return host;
}

export async function startIngress(options: IngressOptions): Promise<RunningIngress> {
  const { config, logger } = options;
  const settings = options.settings ?? loadIngressSettings();
  const host = bindHost(settings, logger);
  await provisionTopicsFirst(config, logger);
  const topics = ingressTopology(config.topicNamespace).writes;
  const serde = new AvroSerde(config.schemaRegistryUrl);
  await serde.registerTopics([topics.inbound]);
  const encodeInbound = await serde.encoderFor(topics.inbound.name);

  const registry = createMetricsRegistry('ingress');
  const metrics = ingressMetrics(registry);
  // Backoff capped at 1 s (connect, metadata, produce): a returning broker is noticed within
  // about a second, while Sinch's callbacks get 503s in the meantime.
  const retry = { initialRetryTime: 100, maxRetryTime: 1000, retries: 8 };
  const kafka = createKafka(config, logger, `${config.clientId}-ingress`, { retry, ...options.kafkaOverrides });
  const publisher = new BatchingPublisher({
    // Unlimited produce retries keep the idempotent sequence numbers sound.
    createProducer: () => kafka.producer({ idempotent: true, allowAutoTopicCreation: false, retry: { ...retry, retries: Number.MAX_SAFE_INTEGER } }),
    timeoutMs: settings.publishTimeoutMs,
    lanes: settings.producers,
    logger,
    onBatch: (size, ok) => metrics.batchRecords.observe({ result: ok ? 'ok' : 'failed' }, size),
  });
  await publisher.start();

  let stopping = false;
  const app = await buildIngressApp({
    settings,
    topics,
    publisher,
    encodeInbound,
    metrics,
    logger,
    registry,
    ...(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}),
    ready: () => (stopping ? { ready: false, reason: 'shutting down' } : publisher.health()),
  });
  let url: string;
  try {
    url = await listen(app, { port: config.ingressPort, host });
  } catch (error) {
    await publisher.close(0);
    throw error;
  }
  logger.info({ url, inbound: topics.inbound.name, auth: { basic: Boolean(settings.basicAuth), hmac: Boolean(settings.hmac) } }, 'ingress ready');

  return {
    name: 'ingress',
    url,
    urls: [url],
    registry,
    async stop() {
      if (stopping) return;
      stopping = true;
      // Stop accepting; requests in flight finish (each bounded by the publish timeout).
      await app.close();
      await publisher.close(settings.publishTimeoutMs);
      logger.info('ingress stopped');
    },
  };
}
