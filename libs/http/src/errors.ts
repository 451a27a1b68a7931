import type { FastifyError, FastifyRequest } from 'fastify';
import { shared } from './shared.ts';

/** One broken rule of one field of a request. */
export interface FieldError {
  /** Dotted path into the body (`from`, `media.0.url`), or `<where>.<name>` outside the body. */
  field: string;
  /** The rule that was broken, machine-readable: `required`, `maxLength`, `phone_number`... */
  rule: string;
  message: string;
}

/** The body of every 4xx and 5xx answer. */
export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldError[] };
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.fields?.length ? { fields: this.fields } : {}) } };
  }
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function fieldOf(error: AjvError, context: string): string {
  const parts = error.instancePath.split('/').filter(Boolean);
  const child = error.params.missingProperty ?? error.params.additionalProperty;
  if (typeof child === 'string') parts.push(child);
  const path = parts.join('.');
  if (context === 'body') return path || 'body';
  return path ? `${context}.${path}` : context;
}

function messageOf(error: AjvError, field: string): string {
  const allowed = error.params.allowedValues;
  const detail = Array.isArray(allowed) ? `: ${allowed.join(', ')}` : '';
  if (error.keyword === 'required') return `${field} is required`;
  if (error.keyword === 'additionalProperties') return `${field} is not a known field`;
  return `${field} ${error.message ?? 'is invalid'}${detail}`;
}

/** Fastify's (Ajv's) validation errors as field-level errors. */
export function fieldErrors(validation: readonly AjvError[], context = 'body'): FieldError[] {
  return validation.map((error) => {
    const field = fieldOf(error, context);
    return { field, rule: error.keyword, message: messageOf(error, field) };
  });
}

const CODES_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
  503: 'unavailable',
};

/** Any error thrown while answering a request, as the HttpError that is sent. */
export function toHttpError(error: unknown, request?: FastifyRequest): HttpError {
  if (error instanceof HttpError) return error;
  const e = error as Partial<FastifyError> & { validation?: AjvError[]; validationContext?: string };
  if (Array.isArray(e.validation)) {
    const fields = fieldErrors(e.validation, e.validationContext);
    return new HttpError(400, 'invalid_request', `the request is invalid: ${fields.map((f) => f.message).join('; ')}`, fields);
  }
  const refused = (status: number, code: string, field: string, rule: string, message: string) => new HttpError(status, code, message, [{ field, rule, message }]);
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const limit = request?.routeOptions.bodyLimit;
      return refused(413, 'payload_too_large', 'body', 'maxBytes', `the body is larger than the limit of ${limit ?? 'this endpoint'} bytes`);
    }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return refused(415, 'unsupported_media_type', 'headers.content-type', 'media_type', `content-type ${request?.headers['content-type'] ?? '(none)'} is not supported; send application/json`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return refused(400, 'invalid_json', 'body', 'json', `the body is not valid JSON: ${e.message}`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return refused(400, 'bad_request', 'headers.content-length', 'content_length', 'the content-length does not match the body');
    case 'FST_ERR_BAD_URL':
      return refused(400, 'bad_url', 'url', 'percent_encoding', `the URL is not valid: ${e.message ?? 'a percent-encoding is malformed'}`);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return refused(414, 'uri_too_long', 'url', 'maxLength', 'a path segment of the URL is too long');
  }
  const status = e.statusCode ?? 500;
  if (status >= 400 && status < 500) return new HttpError(status, CODES_BY_STATUS[status] ?? 'bad_request', e.message ?? 'bad request');
  if (status === 503) return new HttpError(503, 'unavailable', e.message ?? 'unavailable, retry later');
  // Internal details stay in the log, not in the answer.
  return new HttpError(500, 'internal_error', 'internal error');
}

/**
 * Every error becomes a JSON `ErrorBody` with the right status. Register it on the root: a
 * child context may set its own error handler and rethrow, and this one answers.
 */
export const jsonErrors = shared('optline-json-errors', async (app) => {
  app.setErrorHandler((error, request, reply) => {
    const refused = toHttpError(error, request);
    if (refused.statusCode >= 500 && refused.code === 'internal_error') request.log.error({ err: error, url: request.url }, 'request failed');
    else request.log.debug({ code: refused.code, url: request.url }, refused.message);
    return reply.code(refused.statusCode).headers(refused.headers).send(refused.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const refused = new HttpError(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
    return reply.code(404).send(refused.toBody());
  });
});
