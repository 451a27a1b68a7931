import { defineConfig } from 'vitest/config';

// Two projects: `unit` runs the pure code with no services; `integration` (files named
// *.it.test.ts) talks to a real Kafka broker and schema registry, which the global setup
// starts (or finds) before any integration test runs.
export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{libs,services,schemas,bench}/**/test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.it.test.ts'],
          // Property and CLI tests take 1-3 s on a quiet machine and 6-10 s with the two cores
          // shared by brokers and benches; a timeout is no speed assertion (bench/ measures speed).
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{libs,services,schemas,test}/**/*.it.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['test/setup/global-setup.ts'],
          setupFiles: ['test/setup/delete-topics.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One broker on a 2-core machine: files run one after another, which also keeps
          // consumer-group rebalances of one file from slowing another's.
          fileParallelism: false,
        },
      },
    ],
  },
});
