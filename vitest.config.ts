import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The CLI tests run the built bundle; building once up front keeps them honest and fast.
    globalSetup: ['test/global-setup.ts'],
  },
});
