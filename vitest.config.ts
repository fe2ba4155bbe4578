import { defineConfig } from 'vitest/config';

// Test tiers. Each is a vitest project, run by its own npm script; `npm test` runs them all.
//   unit        *.test.ts              pure, fast, no I/O
//   contract    *.contract.test.ts     requests validated against the official OpenAPI specs
//   integration *.int.test.ts          Redis, PostgreSQL and Kafka containers (Testcontainers), an OIDC issuer
//   e2e         *.e2e.test.ts          a real Docker engine running the generated stack
const tiers = ['contract', 'int', 'e2e'];
const exclude = ['**/node_modules/**', '**/dist/**'];
const shared = { resolve: { conditions: ['source'] }, ssr: { resolve: { conditions: ['source'] } } };

export default defineConfig({
  test: {
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...exclude, ...tiers.map((tier) => `**/*.${tier}.test.ts`)],
        },
      },
      { ...shared, test: { name: 'contract', include: ['**/*.contract.test.ts'], exclude } },
      {
        ...shared,
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude,
          // The peers' containers run without Ryuk (its image may be missing); the global setup
          // cleans up after this run and after killed earlier ones, by label.
          globalSetup: ['test/support/integration-setup.ts'],
          env: { TESTCONTAINERS_RYUK_DISABLED: 'true' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'e2e',
          include: ['**/*.e2e.test.ts'],
          exclude,
          // No Docker engine: one line saying so, before any file runs.
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 30 * 60_000,
          hookTimeout: 30 * 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
