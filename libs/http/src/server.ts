import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from '@optline/runtime';
import { toHttpError } from './errors.ts';

export interface HttpServerOptions {
  logger: Logger;
  /** Largest request body in bytes (413 above). */
  bodyLimit?: number;
}

/** Longest path parameter the router lets through to a route's schema. */
export const MAX_PARAM_LENGTH = 2048;

/**
 * A Fastify instance with this project's defaults: Ajv reports every broken field (not only the
 * first) and never coerces or strips input, so what is validated is what was sent; per-request
 * logs are off (metrics count requests; refusals log themselves); close() is graceful: requests
 * in flight finish, then their connections close.
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    ajv: { customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true } },
    // Idle keep-alive connections are closed at shutdown; requests in flight finish.
    forceCloseConnections: 'idle',
    // Path parameters are bounded by each route's schema (project names up to 128 characters,
    // phones, ids), not by the router's default of 100, which answered 414 below those limits.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors the router raises before any route or error handler (a malformed percent-encoding,
    // a segment past MAX_PARAM_LENGTH) get the same JSON error body as every other refusal.
    frameworkErrors: (error, request, reply) => {
      const refused = toHttpError(error, request);
      void (reply as FastifyReply).code(refused.statusCode).send(refused.toBody());
    },
  }) as unknown as FastifyInstance;
  // A keep-alive connection still busy when close() began would otherwise hold close() until
  // the client drops it (up to the keep-alive timeout): its last answer closes it.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Hooks that run for every request are callback-style: an async hook costs a promise each.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  return app;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

export interface ListenOptions {
  port: number;
  /** Default 127.0.0.1: a wider address is a deliberate choice. */
  host?: string;
}

/** Listens and returns the server's base URL (with the real port when `port` was 0). */
export async function listen(app: FastifyInstance, options: ListenOptions): Promise<string> {
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
