/**
 * The README promises the Node version in package.json's `engines`: every installed package,
 * runtime or development (npm test runs on the same machine), must accept that version. npm only
 * warns (EBADENGINE) when one does not, and the warning is easy to miss in a CI log.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import semver from 'semver'
import { describe, expect, it } from 'vitest'
import { cliBin } from '../support/cli/run-cli.js'

const read = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'))

describe('Node version promise', () => {
  it('every package in the lockfile accepts the oldest Node that package.json promises', () => {
    const promised = read('package.json').engines.node as string
    const oldest = semver.minVersion(promised)?.version
    expect(oldest).toBeDefined()
    const lock = read('package-lock.json') as { packages: Record<string, { engines?: { node?: string } }> }
    const refusing = Object.entries(lock.packages)
      .filter(([, entry]) => entry.engines?.node && !semver.satisfies(oldest as string, entry.engines.node))
      .map(([path, entry]) => `${path.replace(/^node_modules\//, '')} wants node ${entry.engines?.node}`)
    expect(refusing).toEqual([])
  })

  it('bin/run.js checks the same oldest Node itself, and says what to do on an older one', () => {
    const promised = semver.minVersion(read('package.json').engines.node as string)
    const bin = readFileSync(new URL('../../bin/run.js', import.meta.url), 'utf8')
    const [, major, minor] = /const NODE_MINIMUM = \[(\d+), (\d+)\]/.exec(bin) ?? []
    expect(`${major}.${minor}.0`).toBe(promised?.version)
    // An older Node, as the check reads it: process.versions.node says 20.10.0.
    const older = join(tmpdir(), `area-older-node-${process.pid}.mjs`)
    writeFileSync(
      older,
      "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.10.0' } })\n",
    )
    const run = spawnSync(process.execPath, ['--import', older, cliBin(), 'validate', '--help'], {
      encoding: 'utf8',
    })
    rmSync(older, { force: true })
    expect(run.status).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(
      `area needs Node.js ${major}.${minor} or newer; this is v20.10.0. Install a newer Node.js and run it again.\n`,
    )
  })
})
