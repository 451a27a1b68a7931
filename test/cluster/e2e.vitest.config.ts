import { defineConfig } from 'vitest/config';

// The integration suite on a private three-node cluster at replication 3, min ISR 2
// (`npm run test:e2e:cluster` runs test/e2e; name other folders to run them too). The tests
// that start clusters of their own (test/cluster) would take the same ports: left out.
export default defineConfig({
  test: {
    name: 'e2e-cluster',
    include: ['{libs,services,schemas,test}/**/*.it.test.ts'],
    exclude: ['**/node_modules/**', 'test/cluster/**'],
    globalSetup: ['test/cluster/e2e-setup.ts'],
    setupFiles: ['test/setup/delete-topics.ts'],
    env: { OPTLINE_REPLICATION_FACTOR: '3' },
    testTimeout: 180_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
