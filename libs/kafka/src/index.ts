export * from './client.ts';
export * from './topics.ts';
export * from './serde.ts';
export * from './dead-letter.ts';
export * from './setup.ts';
export * from './catch-up.ts';
export * from './compacted-tail.ts';
export * from './offsets.ts';
