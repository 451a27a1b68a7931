import type { FastifyRequest } from 'fastify';
import type { Message } from 'kafkajs';
import { deadLetterMessage } from '@optline/kafka';
import type { HttpError } from '@optline/http';
import { INBOUND_ROUTE } from './topology.ts';

/**
 * Sinch does not retry a 4xx, so a refused callback is kept in the dead-letter topic, but only
 * from a verified caller (anyone may fail authentication; they must not fill the topic). A 413
 * is kept without its body (it is not read past the limit) when Basic auth, checked before the
 * body, has verified the caller; with HMAC alone the caller of a 413 is never verified. A 5xx
 * is not kept: Sinch retries it.
 */
export function keepsRefusal(request: FastifyRequest, refused: HttpError): boolean {
  return refused.statusCode >= 400 && refused.statusCode < 500 && refused.statusCode !== 401 && request.principal !== null;
}

/** The raw body untouched, keyed by the callback id when there is one, the reason in headers. */
export function refusalRecord(request: FastifyRequest, refused: HttpError): Message {
  const body = request.body as { id?: unknown } | null | undefined;
  const key = typeof body?.id === 'string' ? body.id : null;
  const fields = [...new Set((refused.fields ?? []).map((f) => f.field))];
  const http: Record<string, string> = { 'optline.http.status': String(refused.statusCode) };
  const type = request.headers['content-type'];
  const length = request.headers['content-length'];
  if (type) http['optline.http.content-type'] = type;
  if (length) http['optline.http.content-length'] = length;
  return deadLetterMessage(
    key,
    request.rawBody,
    { source: `${INBOUND_ROUTE.method} ${INBOUND_ROUTE.url}`, rule: refused.code, message: refused.message, ...(fields.length ? { field: fields.join(',') } : {}) },
    http,
  );
}
