// @optline/state-store: RocksDB-backed key-value stores per partition, with changelog restore.
export * from './store.ts';
export * from './pending.ts';
export * from './partition.ts';
export * from './changelog.ts';
export * from './write-behind.ts';
