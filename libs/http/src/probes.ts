import { HttpError } from './errors.ts';
import { shared } from './shared.ts';

export interface Readiness {
  ready: boolean;
  /** Why not, for a person reading the probe. */
  reason?: string;
}

export interface ProbeOptions {
  /** Whether the service can do its work now (e.g. its Kafka producer is connected). */
  ready: () => Readiness | Promise<Readiness>;
}

const status = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } as const;

/** `GET /healthz`: the process answers. `GET /readyz`: the service can do its work (503 otherwise). */
export const probes = shared<ProbeOptions>('optline-probes', async (app, options) => {
  app.get('/healthz', { schema: { response: { 200: status } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { response: { 200: status } } }, async () => {
    const readiness = await options.ready();
    if (!readiness.ready) throw new HttpError(503, 'not_ready', readiness.reason ?? 'not ready');
    return { status: 'ready' };
  });
});
