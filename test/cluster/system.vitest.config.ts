import { defineConfig } from 'vitest/config';

// The whole system through a leader move on a private three-node cluster
// (`npm run test:cluster:system`). Kept out of `npm test` and `npm run test:cluster` for its
// time (4-6 min) and while a run in eight still misses a STOP's reply effects (README, Tests).
export default defineConfig({
  test: {
    name: 'cluster-system',
    include: ['test/cluster/**/*.system.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
