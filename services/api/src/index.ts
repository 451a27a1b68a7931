import type { ServiceStarter } from '@optline/runtime';
import { startApi } from './service.ts';

export const start: ServiceStarter = (options) => startApi(options);

export { startApi, type ApiServiceOptions, type RunningApi } from './service.ts';
export { loadApiOptions, API_BODY_LIMIT, type ApiOptions } from './options.ts';
export { apiTopology, API_ROUTES } from './topology.ts';
export { buildApiApp, type ApiAppOptions } from './app.ts';
