import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { consoleBuilt, consoleDir } from '@optline/console';
import { HttpError } from '@optline/http';

export const CONSOLE_PATH = '/console';

/**
 * The operator console's static files at /console (the page) and /console/* (its bundle),
 * open like the probes: the page asks for the API token and sends it on its own /v1 calls.
 * The console routes by the URL's fragment, so the server only ever serves these files.
 */
export async function consolePages(app: FastifyInstance, options: { dir?: string } = {}): Promise<void> {
  const dir = options.dir ?? consoleDir;
  const built = consoleBuilt(dir);
  if (built) {
    await app.register(fastifyStatic, { root: dir, prefix: `${CONSOLE_PATH}/`, index: 'index.html', schemaHide: true, cacheControl: true, maxAge: 0 });
  }
  app.get(CONSOLE_PATH, { schema: { hide: true } }, async (_request, reply) => {
    if (!built) throw new HttpError(503, 'console_not_built', 'the console is not built: run `npm run build -w @optline/console` (npm ci does it)');
    return reply.sendFile('index.html');
  });
}
