import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.ts';
import { shared } from './shared.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body bytes exactly as received (signatures are computed over them; dead letters keep them). */
    rawBody: Buffer | null;
  }
}

// A body problem found while parsing waits here until preValidation, so that authentication
// hooks (which may need the raw bytes, e.g. a signature) decide first: an unauthenticated
// caller learns nothing about its body, and a refused body is known to come from a verified caller.
const problems = new WeakMap<FastifyRequest, HttpError>();

function parseJson(request: FastifyRequest, raw: Buffer): unknown {
  if (raw.length === 0) {
    problems.set(request, new HttpError(400, 'invalid_json', 'the body is empty; a JSON object is expected'));
    return undefined;
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    problems.set(request, new HttpError(400, 'invalid_json', `the body is not valid JSON: ${(error as Error).message}`));
    return undefined;
  }
}

/**
 * JSON bodies only: `application/json` is parsed (and kept raw in `request.rawBody`); any other
 * content type answers 415. The body limit is the server's or route's `bodyLimit` (413 above).
 * Register it after the context's authentication plugins: its check runs in preValidation, in
 * registration order.
 */
export const jsonBody = shared('optline-json-body', async (app) => {
  if (!app.hasRequestDecorator('rawBody')) app.decorateRequest('rawBody', null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => {
    request.rawBody = raw as Buffer;
    done(null, parseJson(request, raw as Buffer));
  });
  // '*' also catches a body sent without any content-type.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, raw, done) => {
    request.rawBody = raw as Buffer;
    const type = request.headers['content-type'];
    problems.set(request, new HttpError(415, 'unsupported_media_type', `content-type ${type ? `'${type}'` : '(none)'} is not supported; send application/json`));
    done(null, undefined);
  });
  app.addHook('preValidation', (request, _reply, done) => done(problems.get(request)));
});
