import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'export/**/*.test.ts'],
    environment: 'node',
    // Exports and onnxruntime sessions on two cores take seconds, not milliseconds.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: false, maxForks: 2 } },
  },
});
