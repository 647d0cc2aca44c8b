// Test tiers: unit (pure, fast), integration (real databases: PGlite always, PostgreSQL when the
// server binaries are present), conformance (suites on real PostgreSQL and, when the Temporal CLI
// is installed, a Temporal dev server) and e2e (a production build driven by Chromium).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@/': root,
      // `server-only` throws outside React Server Components; tests import server modules directly.
      'server-only': fileURLToPath(new URL('./tests/support/server-only-stub.ts', import.meta.url)),
    },
  },
  test: {
    // A fixed APP_SECRET, so tests never create one under the repository's .data directory.
    env: { APP_SECRET: 'weft-test-app-secret-0123456789abcdefghij' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['**/*.test.ts'], exclude: ['**/*.int.test.ts', 'node_modules/**'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**'],
          globalSetup: ['tests/support/integration-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'conformance',
          include: ['tests/conformance/**/*.conf.ts'],
          globalSetup: ['tests/support/conformance-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 180_000,
          // The Temporal worker loads a native addon, which does not belong in worker threads.
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.ts'],
          globalSetup: ['tests/support/e2e-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
