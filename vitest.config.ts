import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts or installs PostgreSQL, Redis and PgBouncer when missing (scripts/test-services.sh).
    globalSetup: ['test/support/global-setup.ts'],
    // Forks, not threads: PGlite (WASM) and the data-dir lock are per process.
    pool: 'forks',
    // Vitest's default is one fork per core but one, which is a single fork on two cores. The
    // test files mostly wait (daemons starting, schedules ticking, child processes), so three
    // files at a time take the suite on two cores from 15 to 10 minutes; each file has its own
    // database, Redis prefix, ports and temp folders.
    maxWorkers: Math.max(availableParallelism() - 1, 3),
    // The explicit opt-in to loopback that the tests' local servers need (test/support).
    setupFiles: ['test/support/network-opt-in.ts'],
    testTimeout: 30_000,
    // Creating an embedded database (initdb in WASM) takes several seconds on a busy machine.
    hookTimeout: 120_000,
  },
})
