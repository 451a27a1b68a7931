import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '@optline/runtime';
import { createHttpServer, httpMetrics, jsonErrors, probes, type Readiness } from '@optline/http';
import { sinchInbound, type InboundRouteOptions } from './routes.ts';

export interface IngressAppOptions extends InboundRouteOptions {
  logger: Logger;
  registry: Registry;
  ready: () => Readiness;
  /** More routes on the same server (the ingress bench adds a no-op baseline route). */
  extraRoutes?: FastifyPluginAsync;
}

/** The ingress HTTP server: JSON errors, metrics and probes for all routes, the Sinch route in its own context. */
export async function buildIngressApp(options: IngressAppOptions): Promise<FastifyInstance> {
  const app = createHttpServer({ logger: options.logger, bodyLimit: options.settings.bodyLimit });
  await app.register(jsonErrors);
  await app.register(httpMetrics, { registry: options.registry });
  await app.register(probes, { ready: options.ready });
  await app.register(sinchInbound, options);
  if (options.extraRoutes) await app.register(options.extraRoutes);
  return app;
}
