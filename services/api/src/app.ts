import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '@optline/runtime';
import { bearerAuth, createHttpServer, HttpError, httpMetrics, jsonBody, jsonErrors, probes, type Readiness } from '@optline/http';
import { consolePages } from './plugins/console.ts';
import { openApi } from './plugins/openapi.ts';
import { blacklistRoutes, type BlacklistRouteOptions } from './routes/blacklist.ts';
import { blacklistChangeRoutes, type BlacklistChangeOptions } from './routes/blacklist-changes.ts';
import { blacklistHistoryRoutes, type BlacklistHistoryOptions } from './routes/blacklist-history.ts';
import { possibleOptOutRoutes, type PossibleOptOutRouteOptions } from './routes/possible-opt-outs.ts';
import { blacklistImportRoutes, type BlacklistImportOptions } from './routes/blacklist-import.ts';
import { blacklistListRoutes } from './routes/blacklist-list.ts';
import { overviewRoutes, type OverviewRouteOptions } from './routes/overview.ts';
import { projectRoutes } from './routes/projects.ts';
import { sendCheckRoutes, type SendCheckRouteOptions } from './routes/send-check.ts';
import { smsSettingsRoutes, type SettingsRouteOptions } from './routes/sms-settings.ts';

/** The version of the HTTP contract the OpenAPI document states. */
export const API_VERSION = '1.0.0';

export interface ApiAppOptions extends SettingsRouteOptions, OverviewRouteOptions, BlacklistRouteOptions, SendCheckRouteOptions, BlacklistChangeOptions, BlacklistImportOptions, BlacklistHistoryOptions, PossibleOptOutRouteOptions {
  logger: Logger;
  registry: Registry;
  token: string;
  bodyLimit: number;
  ready: () => Readiness;
  /** Where the built console is (default: @optline/console's dist/). */
  consoleDir?: string;
}

/**
 * The API server: JSON errors, metrics and probes open on the root; the /v1 routes in a
 * context of their own behind the Bearer token, answering 503 until the tables have caught up
 * (an answer from a half-read blacklist could allow a send to an opted-out phone).
 */
export async function buildApiApp(options: ApiAppOptions): Promise<FastifyInstance> {
  const app = createHttpServer({ logger: options.logger, bodyLimit: options.bodyLimit });
  // Before every route, so that the document sees them all.
  await openApi(app, { version: API_VERSION });
  await app.register(jsonErrors);
  await app.register(httpMetrics, { registry: options.registry });
  await app.register(probes, { ready: options.ready });
  await consolePages(app, options.consoleDir === undefined ? {} : { dir: options.consoleDir });
  await app.register(async (v1) => {
    await v1.register(bearerAuth, { token: options.token });
    v1.addHook('onRequest', async () => {
      const readiness = options.ready();
      if (!readiness.ready) throw new HttpError(503, 'not_ready', readiness.reason ?? 'not ready');
    });
    await v1.register(jsonBody);
    await v1.register(projectRoutes, options);
    await v1.register(overviewRoutes, options);
    await v1.register(smsSettingsRoutes, options);
    await v1.register(blacklistRoutes, options);
    await v1.register(blacklistListRoutes, options);
    await v1.register(blacklistChangeRoutes, options);
    await v1.register(blacklistImportRoutes, options);
    await v1.register(blacklistHistoryRoutes, options);
    await v1.register(possibleOptOutRoutes, options);
    await v1.register(sendCheckRoutes, options);
  });
  return app;
}
