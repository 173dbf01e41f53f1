#!/usr/bin/env node
// `area --version` answers before oclif loads: it is typed to check an install, and should take
// no longer than starting node. The line is oclif's own (config.userAgent), as `area version` prints.
if (process.argv[2] === '--version' && process.argv.length === 3) {
  const { readFileSync } = await import('node:fs')
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`area/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const { execute } = await import('@oclif/core')
  await execute({ dir: import.meta.url })
}
