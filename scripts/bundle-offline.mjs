#!/usr/bin/env node
/**
 * Bundles dist/offline-commands.js (tsc's output, so run after tsc) with what it imports into
 * dist/offline-bundle.cjs, the module bin/run.js loads for the offline commands (issue 12;
 * docs/architecture.md, "CLI start-up"). One file parses faster than ~500 modules resolved, read
 * and linked one by one. The daemon's packages stay outside it (daemon-packages.mjs). `ajv` is the
 * build's dist/ajv-precompiled.js (precompile-ajv.mjs, run before this), whose validators are
 * compiled already.
 *
 * Whitespace and syntax are minified (a third less text to parse; names are kept, so stack
 * traces still read). `--metafile FILE` writes esbuild's account of what went in, which
 * test/package/cli-modules.test.ts reads.
 *
 * Run from the root of the build to bundle (the checkout, or a test's built copy).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'
import { daemonPackages } from './daemon-packages.mjs'

const root = process.cwd()
const { values: options } = parseArgs({ options: { metafile: { type: 'string' } } })
// CommonJS, so that bin/run.js can compile it with V8's code cache (node:vm's cachedData; Node 20
// has no module compile cache). `import.meta.url`, which some modules read, becomes this file's URL.
const banner = "const __areaImportMetaUrl = require('node:url').pathToFileURL(__filename).href"

const precompiledAjv = join(root, 'dist/ajv-precompiled.js')
/**
 * `ajv` is dist/ajv-precompiled.js for the build's own modules; that module itself, and packages
 * (ajv-formats), get the real one.
 */
const ajvPrecompiled = {
  name: 'ajv-precompiled',
  setup(build) {
    build.onResolve({ filter: /^ajv$/ }, ({ importer }) =>
      importer.startsWith(join(root, 'dist/')) && importer !== precompiledAjv
        ? { path: precompiledAjv }
        : undefined,
    )
  },
}

/**
 * oclif's Plugin sorts the manifest's command ids with localeCompare, whose first call builds
 * ICU's collator: 8 ms of every validate. The offline bundle sorts them by code unit (the ids are
 * ASCII; the offline commands only look commands up by id, they never list them). The build stops
 * if oclif's line changed, rather than lose this silently.
 */
const oclifCommandSort = {
  name: 'oclif-command-sort',
  setup(build) {
    build.onLoad({ filter: /@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8')
      const sort = '.sort((a, b) => a.id.localeCompare(b.id))'
      if (!source.includes(sort))
        throw new Error(`${path} no longer sorts its commands with "${sort}": update oclifCommandSort`)
      return {
        contents: source.replace(sort, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'),
        loader: 'js',
      }
    })
  },
}

const result = await build({
  absWorkingDir: root,
  entryPoints: ['./dist/offline-commands.js'],
  outfile: 'dist/offline-bundle.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  define: { 'import.meta.url': '__areaImportMetaUrl' },
  target: 'node20',
  // oclif reads tsconfig.json and registers ts-node only in development (bin/dev.js).
  external: [...daemonPackages, 'typescript', 'ts-node'],
  banner: { js: banner },
  plugins: [ajvPrecompiled, oclifCommandSort],
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  metafile: true,
})
if (options.metafile) writeFileSync(options.metafile, JSON.stringify(result.metafile))
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0)
process.stderr.write(`dist/offline-bundle.cjs: ${Math.round(bytes / 1024)} KiB\n`)
