#!/usr/bin/env node
// `area --version` answers before oclif loads: it is typed to check an install, and should take
// no longer than starting node. The line is oclif's own (config.userAgent), as `area version` prints.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const command = process.argv[2]
if (command === '--version' && process.argv.length === 3) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`area/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else if (command === 'validate' || command === 'test') {
  // The offline commands come from one bundle, oclif included, which `npm run build` writes
  // (scripts/bundle-offline.mjs; docs/architecture.md, "CLI start-up"). oclif finds them through
  // its COMMANDS export; the manifest still lists every command for help and suggestions.
  const bundle = '../dist/offline-bundle.js'
  const { execute } = await import(bundle)
  const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  const commands = { strategy: 'explicit', target: './dist/offline-bundle.js', identifier: 'COMMANDS' }
  await execute({
    dir: import.meta.url,
    loadOptions: {
      root: fileURLToPath(new URL('..', import.meta.url)),
      pjson: { ...pjson, oclif: { ...pjson.oclif, commands } },
    },
  })
} else {
  const { execute } = await import('@oclif/core')
  await execute({ dir: import.meta.url })
}
