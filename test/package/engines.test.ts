/**
 * The README promises the Node version in package.json's `engines`: every installed package,
 * runtime or development (npm test runs on the same machine), must accept that version. npm only
 * warns (EBADENGINE) when one does not, and the warning is easy to miss in a CI log.
 */
import { readFileSync } from 'node:fs'
import semver from 'semver'
import { describe, expect, it } from 'vitest'

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
})
