export * from './client.ts';
export * from './catch-up.ts';
