import { join } from 'node:path';
import { RocksDbStore } from './store.ts';

/** `${stateDir}/<store>/<partition>`: one RocksDB per store and assigned partition. */
export function partitionStorePath(stateDir: string, store: string, partition: number): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(store)) throw new Error(`store name ${JSON.stringify(store)} must be letters, digits, "_", "." or "-"`);
  if (!Number.isInteger(partition) || partition < 0) throw new Error(`partition ${partition} must be a whole number >= 0`);
  return join(stateDir, store, String(partition));
}

export function openPartitionStore(stateDir: string, store: string, partition: number): Promise<RocksDbStore> {
  return RocksDbStore.open(partitionStorePath(stateDir, store, partition));
}
