import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { basicAuth, decorateRequestPrincipal, HttpError, jsonBody, toHttpError } from '@optline/http';
import type { IngressMetrics } from './metrics.ts';
import { PublishUnavailable, type BatchingPublisher } from './publisher.ts';
import { keepsRefusal, refusalRecord } from './refusals.ts';
import type { IngressSettings } from './settings.ts';
import { sinchSignatureProblem } from './signature.ts';
import { SINCH_INBOUND_SCHEMA, toInboundSms, UNSUPPORTED_TYPES, type InboundSms, type SinchInboundCallback } from './sinch.ts';
import { INBOUND_ROUTE, type IngressTopics } from './topology.ts';

export interface InboundRouteOptions {
  settings: IngressSettings;
  topics: IngressTopics;
  publisher: BatchingPublisher;
  /** InboundSms -> Avro bytes in the Confluent wire format (schema id resolved at start). */
  encodeInbound: (sms: InboundSms) => Buffer;
  metrics: IngressMetrics;
  now?: () => number;
}

const acceptedBody = { type: 'object', properties: { status: { type: 'string' }, id: { type: 'string' } }, required: ['status', 'id'] } as const;

function refuseMedia(request: FastifyRequest): void {
  const type = (request.body as { type?: unknown } | undefined)?.type;
  if (!UNSUPPORTED_TYPES.has(type)) return;
  const message = `type ${String(type)} is not supported (MMS are not tracked); the callback is kept in the dead-letter topic`;
  throw new HttpError(422, 'unsupported_message_type', message, [{ field: 'type', rule: 'supported_type', message }]);
}

/**
 * POST /v1/sinch/inbound in its own context. Hook order is the order of the checks: Basic auth
 * (headers only) -> body read (413 past the limit) -> HMAC signature over the raw body ->
 * content type and JSON (415, 400) -> mo_media (422) -> schema (400) -> phones (400) -> publish.
 */
export const sinchInbound: FastifyPluginAsync<InboundRouteOptions> = async (scope, options) => {
  const { settings, topics, publisher, encodeInbound, metrics } = options;
  const now = options.now ?? Date.now;
  const accepted = metrics.requests.labels({ outcome: 'accepted' });
  decorateRequestPrincipal(scope);

  if (settings.basicAuth) await scope.register(basicAuth, { ...settings.basicAuth, realm: 'optline-ingress' });
  const hmac = settings.hmac;
  if (hmac) {
    scope.addHook('preValidation', async (request) => {
      const rawBody = request.rawBody ?? Buffer.alloc(0);
      const problem = sinchSignatureProblem({ secret: hmac.secret, rawBody, headers: request.headers, nowMs: now(), maxAgeMs: hmac.maxAgeMs });
      if (problem) throw new HttpError(401, 'unauthorized', problem);
      request.principal ??= 'sinch-hmac';
    });
  }
  if (!settings.basicAuth && !hmac) {
    // Callback-style, as libs/http's per-request hooks: an async hook costs a promise per request.
    scope.addHook('onRequest', (request, _reply, done) => {
      request.principal = 'anonymous';
      done();
    });
  }
  await scope.register(jsonBody);

  scope.setErrorHandler(async (error, request) => {
    let refused = toHttpError(error, request);
    if (keepsRefusal(request, refused)) {
      try {
        await publisher.publish(topics.deadLetter.name, refusalRecord(request, refused));
        metrics.deadLetters.inc({ rule: refused.code });
      } catch (failure) {
        // Not kept, so not refused for good: a 503 makes Sinch send it again.
        refused = new HttpError(503, 'unavailable', `the refused callback (${refused.code}: ${refused.message}) could not be kept in the dead-letter topic: ${(failure as Error).message}`);
      }
    } else if (refused.statusCode < 500) {
      request.log.warn({ code: refused.code, reason: refused.message, ip: request.ip, length: request.headers['content-length'] }, 'refused a callback from an unverified caller; not kept');
    }
    if (refused.code === 'internal_error') request.log.error({ err: error }, 'callback failed; Sinch will retry');
    else if (refused.statusCode >= 500) request.log.warn({ code: refused.code, reason: refused.message }, 'callback not accepted; Sinch will retry');
    metrics.requests.inc({ outcome: refused.code });
    throw refused;
  });

  scope.route({
    method: INBOUND_ROUTE.method,
    url: INBOUND_ROUTE.url,
    schema: { body: SINCH_INBOUND_SCHEMA, response: { 200: acceptedBody } },
    preValidation: (request, _reply, done) => {
      refuseMedia(request); // throws the 422; fastify's hook runner answers it
      done();
    },
    handler: async (request) => {
      const result = toInboundSms(request.body as SinchInboundCallback, now());
      if (!result.ok) {
        throw new HttpError(400, 'invalid_request', `the callback is invalid: ${result.fields.map((f) => f.message).join('; ')}`, result.fields);
      }
      const { sms } = result;
      const value = encodeInbound(sms);
      const started = performance.now();
      try {
        await publisher.publish(topics.inbound.name, { key: sms.from, value });
      } catch (error) {
        if (error instanceof PublishUnavailable) throw new HttpError(503, 'unavailable', `${error.message}; retry later`);
        throw error;
      }
      metrics.publishSeconds.observe((performance.now() - started) / 1000);
      accepted.inc();
      return { status: 'accepted', id: sms.id };
    },
  });
};
