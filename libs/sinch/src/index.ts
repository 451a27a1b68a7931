export * from './types.ts';
export * from './retry.ts';
export * from './client.ts';
export * from './sandbox.ts';
export * from './config.ts';
