import swagger, { type SwaggerTransformObject } from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';

export const OPENAPI_PATH = '/v1/openapi.json';

/** The body of every 4xx and 5xx answer (libs/http's ErrorBody), described once. */
export const errorBodySchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        fields: {
          type: 'array',
          items: {
            type: 'object',
            properties: { field: { type: 'string' }, rule: { type: 'string' }, message: { type: 'string' } },
            required: ['field', 'rule', 'message'],
          },
        },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

/**
 * Routes whose answer is not JSON, so they carry no response schema for Fastify to serialise
 * with: their media type is declared here instead (the OpenAPI test holds every other route to
 * a schema of its own).
 */
export const NON_JSON_ANSWERS: Readonly<Record<string, { mediaType: string; description: string }>> = {
  '/metrics': { mediaType: 'text/plain; version=0.0.4', description: 'Prometheus text exposition' },
};

interface OpenApiDocument {
  components?: { schemas?: Record<string, unknown> } & Record<string, unknown>;
  paths?: Record<string, Record<string, { responses?: Record<string, unknown>; security?: unknown }>>;
  [key: string]: unknown;
}

const errorAnswer = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** Every operation answers errors as ErrorBody, and every /v1 operation but the document needs the token. */
function withErrorsAndSecurity(doc: OpenApiDocument): OpenApiDocument {
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, Error: errorBodySchema } };
  for (const [url, operations] of Object.entries(doc.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      operation.responses = {
        ...operation.responses,
        '4XX': errorAnswer('refused: `error.code` says why; `error.fields` names each broken field and its rule'),
        '5XX': errorAnswer('not ready yet, or a dependency is unavailable: retry later'),
      };
      operation.security = isOpen(url) ? [] : [{ bearer: [] }];
    }
  }
  return doc;
}

const registered = new WeakMap<FastifyInstance, readonly RouteOptions[]>();

/** Every route Fastify registered on `app` (HEAD twins included), as its onRoute hook saw them. */
export function registeredRoutes(app: FastifyInstance): readonly RouteOptions[] {
  return registered.get(app) ?? [];
}

// Open routes: probes, metrics, the document itself and the console's static files (the
// console asks for the token and sends it on its own /v1 calls).
const isOpen = (url: string) => !url.startsWith('/v1/') || url === OPENAPI_PATH;

/**
 * An OpenAPI 3.1 document built by @fastify/swagger from the schemas every route declares
 * (params, querystring, body, responses), served at GET /v1/openapi.json without the token.
 * Register it on the root context before any route, so that it sees every route.
 */
export async function openApi(app: FastifyInstance, options: { version: string }): Promise<void> {
  const seen: RouteOptions[] = [];
  registered.set(app, seen);
  app.addHook('onRoute', (route) => {
    seen.push(route);
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'optline API',
        version: options.version,
        description: 'SMS settings, the opt-out list, send checks and the review queue of optline. Every /v1 route but this document needs `Authorization: Bearer <OPTLINE_API_TOKEN>`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: ({ schema, url }) => {
      const raw = NON_JSON_ANSWERS[url];
      if (!raw || schema?.response) return { url, schema };
      const response = { 200: { description: raw.description, content: { [raw.mediaType]: { schema: { type: 'string' } } } } };
      return { url, schema: { ...schema, response } as typeof schema };
    },
    transformObject: (document) => withErrorsAndSecurity(('openapiObject' in document ? document.openapiObject : {}) as OpenApiDocument) as ReturnType<SwaggerTransformObject>,
  });
  app.get(OPENAPI_PATH, {
    schema: { summary: 'This document', response: { 200: { type: 'object', additionalProperties: true, description: 'OpenAPI 3.1' } } },
    handler: async () => app.swagger(),
  });
}
