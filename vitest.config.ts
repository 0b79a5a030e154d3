import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/platform/builtins/*/**/*.test.ts',
      'packages/console/test/**/*.test.ts',
      'connectors/*/**/*.test.ts',
      'packages/platform/builtins/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Each built-in connector starts a connector host: servers started by tests leave them out,
    // except in the tests of the built-ins (which turn them on).
    env: { WEFT_BUILTINS: 'off' },
  },
});
