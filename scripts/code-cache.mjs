#!/usr/bin/env node
/**
 * Writes dist/offline-bundle.cjs.v8cache: V8's code cache of the offline bundle after one
 * `area validate` of areas.example.yaml, so it holds the functions a validate compiles, not only
 * the top level (docs/architecture.md, "CLI start-up"). Run after bundle-offline.mjs, from the
 * root of the build. The cache belongs to this Node version; another one rejects it and compiles.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = process.cwd()
const cacheFile = join(root, 'dist/offline-bundle.cjs.v8cache')
rmSync(cacheFile, { force: true })
const example = join(root, 'areas.example.yaml')
// A build without the example (a packed copy) still gets a cache, of the top level and --help.
const args = existsSync(example) ? ['validate', '-f', example] : ['validate', '--help']
const run = spawnSync(process.execPath, [join(root, 'bin/run.js'), ...args], {
  cwd: root,
  env: { ...process.env, AREA_WRITE_CODE_CACHE: '1' },
  stdio: ['ignore', 'ignore', 'inherit'],
})
if (run.status !== 0 || !existsSync(cacheFile)) {
  process.stderr.write(`could not write ${cacheFile}: area ${args.join(' ')} exited ${run.status}\n`)
  process.exit(1)
}
process.stderr.write(`dist/offline-bundle.cjs.v8cache: ${Math.round(statSync(cacheFile).size / 1024)} KiB\n`)
