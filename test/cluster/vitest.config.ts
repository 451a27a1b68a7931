import { defineConfig } from 'vitest/config';

// The cluster fault test runs its own three-node stack (ports 48092-48097, registry 48081):
// not part of `npm test`, run with `npm run test:cluster`.
export default defineConfig({
  test: {
    name: 'cluster',
    include: ['test/cluster/**/*.cluster.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
