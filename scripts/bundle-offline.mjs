#!/usr/bin/env node
/**
 * Bundles dist/offline-commands.js (tsc's output, so run after tsc) with what it imports into
 * dist/offline-bundle.js, the module bin/run.js loads for the offline commands (issue 12;
 * docs/architecture.md, "CLI start-up"). One file parses faster than ~500 modules resolved, read
 * and linked one by one. The daemon's packages stay imports (daemon-packages.mjs). `ajv` is the
 * build's dist/ajv-precompiled.js (precompile-ajv.mjs, run before this), whose validators are
 * compiled already.
 *
 * Whitespace and syntax are minified (a third less text to parse; names are kept, so stack
 * traces still read). `--metafile FILE` writes esbuild's account of what went in, which
 * test/package/cli-modules.test.ts reads.
 *
 * Run from the root of the build to bundle (the checkout, or a test's built copy).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'
import { daemonPackages } from './daemon-packages.mjs'

const root = process.cwd()
const { values: options } = parseArgs({ options: { metafile: { type: 'string' } } })
// oclif is CommonJS: in an ES module it still needs require (for the few paths it resolves at
// run time) and __dirname (its own package.json, which it reads in a try/catch).
const banner = [
  "import { createRequire as __areaCreateRequire } from 'node:module'",
  "import { dirname as __areaDirname } from 'node:path'",
  "import { fileURLToPath as __areaFileURLToPath } from 'node:url'",
  'const require = __areaCreateRequire(import.meta.url)',
  'const __filename = __areaFileURLToPath(import.meta.url)',
  'const __dirname = __areaDirname(__filename)',
].join('\n')

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

const result = await build({
  absWorkingDir: root,
  entryPoints: ['./dist/offline-commands.js'],
  outfile: 'dist/offline-bundle.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // oclif reads tsconfig.json and registers ts-node only in development (bin/dev.js).
  external: [...daemonPackages, 'typescript', 'ts-node'],
  banner: { js: banner },
  plugins: [ajvPrecompiled],
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  metafile: true,
})
if (options.metafile) writeFileSync(options.metafile, JSON.stringify(result.metafile))
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0)
process.stderr.write(`dist/offline-bundle.js: ${Math.round(bytes / 1024)} KiB\n`)
