import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { RocksDbStore } from '../src/index.ts';

/** A RocksDB store in a fresh temporary folder for each test of the file, closed and removed after it. */
export function storePerTest(prefix: string): { dir: string; store: RocksDbStore } {
  const current = { dir: '', store: undefined as unknown as RocksDbStore };
  beforeEach(async () => {
    current.dir = await mkdtemp(join(tmpdir(), prefix));
    current.store = await RocksDbStore.open(join(current.dir, 'db'));
  });
  afterEach(async () => {
    await current.store.close();
    await rm(current.dir, { recursive: true, force: true });
  });
  return current;
}
