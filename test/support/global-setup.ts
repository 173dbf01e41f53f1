/**
 * Runs once before the test files. It builds the CLI the tests run (test/support/cli/test-build.ts)
 * and the migrated embedded database they copy (test/support/db/pglite-template.ts), and checks what the integration tests need on this machine: PostgreSQL, Redis and the pgbouncer
 * binary. When one is missing, scripts/test-services.sh starts or installs them (installing needs
 * root or sudo), so `npm test` works on a fresh machine as `.ci/run` does.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { testBuild } from './cli/test-build.js'
import { pgBouncerBinary } from './db/pgbouncer.js'
import { buildPgliteTemplate } from './db/pglite-template.js'
import { testServerUrl } from './db/postgres.js'
import { sharedRedisUrl } from './redis.js'

function accepts(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port) || defaultPort })
    socket.setTimeout(2_000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

function hasPgBouncer(): boolean {
  try {
    return existsSync(pgBouncerBinary())
  } catch {
    return false
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const build = testBuild()
  const template = buildPgliteTemplate()
  // Awaited below; this keeps a failure from being an unhandled rejection meanwhile.
  build.catch(() => undefined)
  template.catch(() => undefined)
  await checkServices()
  project.provide('areaCli', await build)
  project.provide('pgliteTemplate', await template)
}

async function checkServices(): Promise<void> {
  const missing = [
    ...((await accepts(testServerUrl(), 5432)) ? [] : ['PostgreSQL']),
    ...((await accepts(sharedRedisUrl, 6379)) ? [] : ['Redis']),
    ...(hasPgBouncer() ? [] : ['pgbouncer']),
  ]
  if (missing.length === 0) return
  console.log(`${missing.join(', ')} missing: running scripts/test-services.sh`)
  const script = fileURLToPath(new URL('../../scripts/test-services.sh', import.meta.url))
  const run = spawnSync(script, { stdio: 'inherit' })
  if (run.status !== 0) {
    throw new Error(
      `The tests need ${missing.join(', ')}, and scripts/test-services.sh could not set them up (exit ${run.status}). It installs Debian packages, which needs root or sudo; or start them yourself: PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth, a database named test), Redis on 127.0.0.1:6379, and install pgbouncer.`,
    )
  }
}
