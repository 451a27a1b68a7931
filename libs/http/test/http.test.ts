import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { basicAuth, bearerAuth, createHttpServer, HttpError, httpMetrics, jsonBody, jsonErrors, listen, probes, toHttpError, type ErrorBody } from '../src/index.ts';

const logger = pino({ level: 'silent' });
let app: FastifyInstance;

afterEach(async () => {
  await app?.close();
});

const bodySchema = {
  type: 'object',
  required: ['name', 'count'],
  properties: { name: { type: 'string', maxLength: 5 }, count: { type: 'integer', minimum: 1 }, kind: { enum: ['a', 'b'] } },
} as const;

async function server(setup?: (app: FastifyInstance) => Promise<void>): Promise<FastifyInstance> {
  app = createHttpServer({ logger, bodyLimit: 1024 });
  await app.register(jsonErrors);
  await app.register(async (scope) => {
    await setup?.(scope);
    await scope.register(jsonBody);
    scope.post('/things', { schema: { body: bodySchema } }, async (request) => ({ raw: request.rawBody?.toString(), principal: request.principal ?? null }));
    scope.get('/boom', async () => {
      throw new Error('secret detail');
    });
  });
  return app;
}

const error = (body: string) => (JSON.parse(body) as ErrorBody).error;

describe('JSON errors and bodies', () => {
  it('names every broken field and its rule in one 400', async () => {
    await server();
    const res = await app.inject({ method: 'POST', url: '/things', payload: { name: 'toolong', count: 0, kind: 'c' } });
    expect(res.statusCode).toBe(400);
    const e = error(res.body);
    expect(e.code).toBe('invalid_request');
    expect(e.fields).toEqual(
      expect.arrayContaining([
        { field: 'name', rule: 'maxLength', message: 'name must NOT have more than 5 characters' },
        { field: 'count', rule: 'minimum', message: 'count must be >= 1' },
        { field: 'kind', rule: 'enum', message: 'kind must be equal to one of the allowed values: a, b' },
      ]),
    );
    const missing = await app.inject({ method: 'POST', url: '/things', payload: {} });
    expect(error(missing.body).fields?.map((f) => [f.field, f.rule])).toEqual([['name', 'required'], ['count', 'required']]);
  });

  it('keeps the raw body and does not coerce types', async () => {
    await server();
    const ok = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json; charset=utf-8' }, payload: '{"name":"ab","count":2}' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ raw: '{"name":"ab","count":2}', principal: null });
    const coerced = await app.inject({ method: 'POST', url: '/things', payload: { name: 'ab', count: '2' } });
    expect(error(coerced.body).fields).toEqual([{ field: 'count', rule: 'type', message: 'count must be integer' }]);
  });

  it('answers 400 invalid_json for malformed or empty JSON', async () => {
    await server();
    for (const payload of ['{"name":', '']) {
      const res = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode).toBe(400);
      expect(error(res.body).code).toBe('invalid_json');
    }
  });

  it('answers 415 for a body that is not JSON, with or without a content-type', async () => {
    await server();
    const text = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect(text.statusCode).toBe(415);
    expect(error(text.body)).toMatchObject({ code: 'unsupported_media_type', message: "content-type 'text/plain' is not supported; send application/json", fields: [{ field: 'headers.content-type', rule: 'media_type' }] });
    const none = await app.inject({ method: 'POST', url: '/things', payload: Buffer.from('hello') });
    expect(none.statusCode).toBe(415);
  });

  it('answers 413 above the body limit', async () => {
    await server();
    const res = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(2000), count: 1 }) });
    expect(res.statusCode).toBe(413);
    expect(error(res.body)).toMatchObject({ code: 'payload_too_large', message: 'the body is larger than the limit of 1024 bytes', fields: [{ field: 'body', rule: 'maxBytes' }] });
  });

  it('answers 404 and 500 as JSON, without leaking internal messages', async () => {
    await server();
    const missing = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
    expect(missing.statusCode).toBe(404);
    expect(error(missing.body)).toEqual({ code: 'not_found', message: 'no route GET /nowhere' });
    const boom = await app.inject({ method: 'GET', url: '/boom' });
    expect(boom.statusCode).toBe(500);
    expect(error(boom.body)).toEqual({ code: 'internal_error', message: 'internal error' });
  });

  it('lets a child context act on an error and rethrow it to the JSON handler', async () => {
    const seen: string[] = [];
    await server(async (scope) => {
      scope.setErrorHandler(async (e, request) => {
        const refused = toHttpError(e, request);
        seen.push(refused.code);
        if (refused.statusCode === 415) throw new HttpError(503, 'unavailable', 'could not keep it');
        throw refused;
      });
    });
    const res = await app.inject({ method: 'POST', url: '/things', payload: { name: 'ab' } });
    expect(res.statusCode).toBe(400);
    const swapped = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(swapped.statusCode).toBe(503);
    expect(error(swapped.body).code).toBe('unavailable');
    expect(seen).toEqual(['invalid_request', 'unsupported_media_type']);
  });
});

describe('auth', () => {
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  it('HTTP Basic: 401 with a challenge when missing or wrong, before the body is judged', async () => {
    await server(async (scope) => {
      await scope.register(basicAuth, { user: 'sinch', password: 'p:w' });
    });
    const payload = { name: 'ab', count: 1 };
    const missing = await app.inject({ method: 'POST', url: '/things', payload });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Basic realm="optline", charset="UTF-8"');
    expect(error(missing.body).message).toMatch(/missing/);
    const wrong = await app.inject({ method: 'POST', url: '/things', headers: { authorization: basic('sinch', 'nope'), 'content-type': 'text/plain' }, payload: 'x' });
    expect(wrong.statusCode).toBe(401);
    expect(error(wrong.body)).toEqual({ code: 'unauthorized', message: 'wrong user or password' });
    const good = await app.inject({ method: 'POST', url: '/things', headers: { authorization: basic('sinch', 'p:w') }, payload });
    expect(good.statusCode).toBe(200);
    expect(good.json().principal).toBe('basic:sinch');
  });

  it('Bearer token: missing, wrong scheme, wrong token, good', async () => {
    await server(async (scope) => {
      await scope.register(bearerAuth, { token: 't0ken' });
    });
    const payload = { name: 'ab', count: 1 };
    const codes = [];
    for (const authorization of [undefined, 'Basic abc', 'Bearer nope', 'Bearer t0ken']) {
      const res = await app.inject({ method: 'POST', url: '/things', headers: authorization ? { authorization } : {}, payload });
      codes.push(res.statusCode);
    }
    expect(codes).toEqual([401, 401, 401, 200]);
  });
});

describe('probes, metrics, listen', () => {
  it('/healthz, /readyz follow the readiness check, /metrics counts requests by route and status', async () => {
    let readiness = { ready: false, reason: 'producer not connected' };
    const registry = new Registry();
    app = createHttpServer({ logger });
    await app.register(jsonErrors);
    await app.register(httpMetrics, { registry });
    await app.register(probes, { ready: () => readiness });
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const notReady = await app.inject('/readyz');
    expect(notReady.statusCode).toBe(503);
    expect(error(notReady.body)).toEqual({ code: 'not_ready', message: 'producer not connected' });
    readiness = { ready: true, reason: '' };
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    const metrics = await app.inject('/metrics');
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('http_requests_total{method="GET",route="/readyz",status="503"} 1');
    expect(metrics.body).toContain('http_requests_total{method="GET",route="/readyz",status="200"} 1');
    expect(metrics.body).toContain('http_request_duration_seconds_bucket{le="0.0005",method="GET",route="/healthz"}');
  });

  it('close() lets a request in flight finish, then closes its keep-alive connection at once', async () => {
    app = createHttpServer({ logger });
    app.get('/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { done: true };
    });
    const url = await listen(app, { port: 0 });
    const answer = fetch(`${url}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(2000);
    const res = await answer;
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.json()).toEqual({ done: true });
  });

  it('listens on 127.0.0.1 by default and reports the real port', async () => {
    app = createHttpServer({ logger });
    await app.register(probes, { ready: () => ({ ready: true }) });
    const url = await listen(app, { port: 0 });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
  });
});
