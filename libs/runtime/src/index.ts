export * from './config.ts';
export * from './logger.ts';
export * from './metrics.ts';
export * from './service.ts';
export * from './metrics-server.ts';
