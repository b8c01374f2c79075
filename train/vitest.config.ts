import { defineConfig } from 'vitest/config';

// The trainer's tests and the shipped default model's check (npm run test:train). The root config
// only collects src/ and export/; add 'train/**/*.test.ts' there to run these with test:unit.
export default defineConfig({
  test: {
    include: ['train/**/*.test.ts'],
    root: new URL('..', import.meta.url).pathname,
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
