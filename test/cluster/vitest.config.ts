import { defineConfig } from 'vitest/config';

// The full cluster tests, each on its own three-node stack (ports 25092-25097, registry 25081):
// not part of `npm test` (which runs the small test/cluster/*.it.test.ts), run with
// `npm run test:cluster`.
export default defineConfig({
  test: {
    name: 'cluster',
    include: ['test/cluster/**/*.cluster.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
