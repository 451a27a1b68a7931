// The OpenAPI document is generated from the routes' own schemas: every route Fastify knows is
// in it, with its parameters, body and answers, so a route added without schemas fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { BlacklistClient } from '@optline/blacklist-client';
import type { AvroSerde } from '@optline/kafka';
import { createLogger } from '@optline/runtime';
import type { SettingsTable } from '@optline/settings-table';
import type { Producer } from 'kafkajs';
import { apiTopology, buildApiApp } from '../src/index.ts';
import { apiMetrics } from '../src/metrics.ts';
import { OPENAPI_PATH, registeredRoutes } from '../src/plugins/openapi.ts';

interface Operation {
  parameters?: { in: string; name: string; schema?: unknown }[];
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
}

let app: FastifyInstance;
let doc: { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };

beforeAll(async () => {
  const registry = new Registry();
  app = await buildApiApp({
    logger: createLogger('api-test', 'silent'), registry, token: 't', bodyLimit: 65536, ready: () => ({ ready: false, reason: 'not yet' }),
    settings: {} as SettingsTable, blacklist: {} as BlacklistClient, commands: {} as never, history: {} as never, historyReady: () => false, reviewQueue: {} as never, producer: {} as Producer, serde: {} as AvroSerde, campaignTopic: 'c', metrics: apiMetrics(registry),
  });
  // Without the token and before the tables caught up: the document describes, it reads nothing.
  const res = await app.inject({ method: 'GET', url: OPENAPI_PATH });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => app.close());

const openApiPath = (url: string) => url.replace(/:([A-Za-z_]+)/g, '{$1}');
const routes = () => registeredRoutes(app).filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/console'));
const methodsOf = (r: { method: string | string[] }) => (Array.isArray(r.method) ? r.method : [r.method]).map((m) => m.toLowerCase());

describe(`GET ${OPENAPI_PATH}`, () => {
  it('is an OpenAPI 3.1 document with a Bearer scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
  });

  it('lists every route Fastify registered, and every route of the topology', () => {
    expect(routes().length).toBeGreaterThan(5);
    for (const route of routes()) {
      for (const method of methodsOf(route)) expect(doc.paths[openApiPath(route.url)]?.[method], `${method} ${route.url}`).toBeDefined();
    }
    for (const line of apiTopology('').http) {
      const [method, url] = line.split(' ') as [string, string];
      expect(doc.paths[openApiPath(url)]?.[method.toLowerCase()], line).toBeDefined();
    }
  });

  it("gives every route its own request schemas: path and query parameters, and the body", () => {
    for (const route of routes()) {
      const schema = (route.schema ?? {}) as { params?: { properties?: object }; querystring?: { properties?: object }; body?: unknown };
      for (const method of methodsOf(route)) {
        const op = doc.paths[openApiPath(route.url)]![method]!;
        const names = (where: string) => (op.parameters ?? []).filter((p) => p.in === where).map((p) => p.name).sort();
        expect(names('path'), `${method} ${route.url} path`).toEqual(Object.keys(schema.params?.properties ?? {}).sort());
        expect(names('query'), `${method} ${route.url} query`).toEqual(Object.keys(schema.querystring?.properties ?? {}).sort());
        for (const p of op.parameters ?? []) expect(p.schema, `${route.url} ${p.name}`).toBeDefined();
        if (['post', 'put', 'patch'].includes(method)) {
          const body = Object.values(op.requestBody?.content ?? {})[0]?.schema;
          expect(body, `${method} ${route.url} body`).toBeDefined();
        }
      }
    }
  });

  it('gives every route a schema for its success answer and for its errors', () => {
    for (const route of routes()) {
      for (const method of methodsOf(route)) {
        const op = doc.paths[openApiPath(route.url)]![method]!;
        const success = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
        expect(success.length, `${method} ${route.url} has a 2xx answer`).toBeGreaterThan(0);
        for (const [status, answer] of success) {
          expect(Object.values(answer.content ?? {})[0]?.schema, `${method} ${route.url} ${status}`).toBeDefined();
        }
        expect(op.responses['4XX']?.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/Error' });
      }
    }
  });

  it('asks for the token on /v1 routes only, not for the document, the probes or metrics', () => {
    for (const [url, operations] of Object.entries(doc.paths)) {
      for (const op of Object.values(operations)) {
        expect(op.security, url).toEqual(url.startsWith('/v1/') && url !== OPENAPI_PATH ? [{ bearer: [] }] : []);
      }
    }
  });
});
