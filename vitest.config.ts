import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts or installs PostgreSQL, Redis and PgBouncer when missing (scripts/test-services.sh).
    globalSetup: ['test/support/global-setup.ts'],
    // Forks, not threads: PGlite (WASM) and the data-dir lock are per process.
    pool: 'forks',
    // The explicit opt-in to loopback that the tests' local servers need (test/support).
    setupFiles: ['test/support/network-opt-in.ts'],
    testTimeout: 30_000,
    // Creating an embedded database (initdb in WASM) takes several seconds on a busy machine.
    hookTimeout: 120_000,
  },
})
