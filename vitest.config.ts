import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // End-to-end tests use the SDK from source, as its package `exports` point at the built bundle.
    alias: {
      '@ai-cost-profiler/sdk': fileURLToPath(new URL('./packages/sdk/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'bench/src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites share one PostgreSQL server; each uses its own schema, so files may run in parallel.
    pool: 'forks',
    // `npm test` measures the SDK's coverage (the package other projects install) and fails below these.
    coverage: {
      provider: 'v8',
      include: ['packages/sdk/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/test-support/**', '**/__fixtures__/**'],
      reporter: ['text-summary'],
      thresholds: { lines: 90, statements: 90, functions: 90, branches: 90 },
    },
  },
})
