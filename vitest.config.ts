import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more parallel files than that only adds contention to timing-sensitive tests.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
