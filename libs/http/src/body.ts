import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.ts';
import { shared } from './shared.ts';
import { parseStrictJson } from './strict-json.ts';

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
    problems.set(request, new HttpError(400, 'invalid_json', 'the body is empty; a JSON object is expected', [{ field: 'body', rule: 'required', message: 'the body is empty; a JSON object is expected' }]));
    return undefined;
  }
  const parsed = parseStrictJson(raw);
  if (parsed.ok) return parsed.value;
  problems.set(request, new HttpError(400, 'invalid_json', parsed.problem.message, [parsed.problem]));
  return undefined;
}

/** Bodies are read as UTF-8: a JSON body declaring another charset is refused, not misread. */
function charsetProblem(type: string | undefined): HttpError | null {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(type ?? '')?.[1]?.toLowerCase();
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8') return null;
  const message = `content-type '${type}' declares charset ${charset}; JSON bodies must be UTF-8`;
  return new HttpError(415, 'unsupported_media_type', message, [{ field: 'headers.content-type', rule: 'charset', message }]);
}

/**
 * JSON bodies only: `application/json` is parsed strictly (see strict-json.ts; kept raw in
 * `request.rawBody`); any other content type, or another charset than UTF-8, answers 415. The body limit is the server's or route's `bodyLimit` (413 above).
 * Register it after the context's authentication plugins: its check runs in preValidation, in
 * registration order.
 */
export const jsonBody = shared('optline-json-body', async (app) => {
  if (!app.hasRequestDecorator('rawBody')) app.decorateRequest('rawBody', null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => {
    request.rawBody = raw as Buffer;
    const charset = charsetProblem(request.headers['content-type']);
    if (charset) problems.set(request, charset);
    done(null, charset ? undefined : parseJson(request, raw as Buffer));
  });
  // '*' also catches a body sent without any content-type.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, raw, done) => {
    request.rawBody = raw as Buffer;
    const type = request.headers['content-type'];
    const message = `content-type ${type ? `'${type}'` : '(none)'} is not supported; send application/json`;
    problems.set(request, new HttpError(415, 'unsupported_media_type', message, [{ field: 'headers.content-type', rule: 'media_type', message }]));
    done(null, undefined);
  });
  app.addHook('preValidation', (request, _reply, done) => done(problems.get(request)));
});
