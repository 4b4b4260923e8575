import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Exact matches: 'cacheorm/nestjs' must not be read as 'cacheorm' + '/nestjs'.
    alias: [
      { find: /^cacheorm$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      { find: /^cacheorm\/nestjs$/, replacement: fileURLToPath(new URL('./src/nestjs/index.ts', import.meta.url)) },
      { find: /^cacheorm\/testing$/, replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
