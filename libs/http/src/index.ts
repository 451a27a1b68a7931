// @optline/http: the Fastify plugins every HTTP service of optline shares (errors, JSON bodies,
// probes, metrics, auth) and the server defaults.
export * from './shared.ts';
export * from './errors.ts';
export * from './body.ts';
export * from './auth.ts';
export * from './probes.ts';
export * from './metrics.ts';
export * from './server.ts';
export * from './strict-json.ts';
