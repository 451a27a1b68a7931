import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ConfigError } from '@optline/runtime';
import { HttpError } from './errors.ts';
import { shared } from './shared.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request was authenticated as (`basic:<user>`, `bearer`, ...); null until then. */
    principal: string | null;
  }
}

const digest = (v: string | Buffer) => createHash('sha256').update(v).digest();

/**
 * A constant-time test for one secret; comparing digests hides the lengths too. The expected
 * secret is hashed once here, not on every request.
 */
export function secretCheck(expected: string | Buffer): (given: string | Buffer) => boolean {
  const want = digest(expected);
  return (given) => timingSafeEqual(digest(given), want);
}

export interface BasicCredentials {
  user: string;
  password: string;
}

/** `user:password` (the password may contain ':'), as in OPTLINE_INGRESS_BASIC_AUTH. */
export function parseBasicCredentials(spec: string, variable: string): BasicCredentials {
  const colon = spec.indexOf(':');
  if (colon <= 0 || colon === spec.length - 1) throw new ConfigError(variable, 'must be user:password, both non-empty');
  return { user: spec.slice(0, colon), password: spec.slice(colon + 1) };
}

export function decorateRequestPrincipal(app: FastifyInstance): void {
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', null);
}

/** Why an Authorization header does not carry the expected Basic credentials, or null when it does. */
export function basicAuthProblem(header: string | undefined, matches: (given: string) => boolean): string | null {
  if (!header) return 'the Authorization header is missing (HTTP Basic expected)';
  const [scheme, encoded] = header.split(' ', 2);
  if (scheme?.toLowerCase() !== 'basic' || !encoded) return 'the Authorization header is not HTTP Basic';
  const given = Buffer.from(encoded, 'base64').toString('utf8');
  return matches(given) ? null : 'wrong user or password';
}

export interface BasicAuthOptions extends BasicCredentials {
  realm?: string;
}

/** HTTP Basic on every route of the registering context, checked before the body is read. */
export const basicAuth = shared<BasicAuthOptions>('optline-basic-auth', async (app, options) => {
  decorateRequestPrincipal(app);
  const challenge = { 'www-authenticate': `Basic realm="${options.realm ?? 'optline'}", charset="UTF-8"` };
  const matches = secretCheck(`${options.user}:${options.password}`);
  // Callback-style: it runs for every request, and an async hook costs a promise each. A throw
  // reaches the error handler as a rejection would.
  app.addHook('onRequest', (request: FastifyRequest, _reply, done) => {
    const problem = basicAuthProblem(request.headers.authorization, matches);
    if (problem) throw new HttpError(401, 'unauthorized', problem, undefined, challenge);
    request.principal = `basic:${options.user}`;
    done();
  });
});

export interface BearerAuthOptions {
  token: string;
}

/** `Authorization: Bearer <token>` on every route of the registering context. */
export const bearerAuth = shared<BearerAuthOptions>('optline-bearer-auth', async (app, options) => {
  decorateRequestPrincipal(app);
  const challenge = { 'www-authenticate': 'Bearer realm="optline"' };
  const matches = secretCheck(options.token);
  app.addHook('onRequest', (request: FastifyRequest, _reply, done) => {
    const header = request.headers.authorization;
    const [scheme, token] = header?.split(' ', 2) ?? [];
    if (!header) throw new HttpError(401, 'unauthorized', 'the Authorization header is missing (Bearer token expected)', undefined, challenge);
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw new HttpError(401, 'unauthorized', 'the Authorization header is not a Bearer token', undefined, challenge);
    if (!matches(token)) throw new HttpError(401, 'unauthorized', 'wrong token', undefined, challenge);
    request.principal = 'bearer';
    done();
  });
});
