/**
 * Compiles a bench server (and the src it imports) to one JavaScript file, so the measured process
 * runs plain JavaScript as a production build does: no TypeScript loader thread, transpiler or
 * source maps in its RSS and CPU (about 45 MB of RSS under tsx). Packages stay external and are
 * loaded from node_modules, hence the output inside the checkout: `.bench-build/daemon/`, two
 * levels down as dist/daemon is, so src/daemon/version.ts finds package.json (under
 * node_modules/.cache it found none), and in each worktree its own.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'

const outDir = fileURLToPath(new URL('../.bench-build/daemon/', import.meta.url))

/**
 * JSON files a package ships (Ajv's draft-07 meta-schema) are inlined: left external, esbuild
 * drops the `with { type: 'json' }` the source gives them, and Node refuses the import without it.
 */
const inlineJson: Plugin = {
  name: 'inline-json',
  setup(bundle) {
    bundle.onResolve({ filter: /\.json$/ }, (args) => ({
      path: createRequire(`${args.resolveDir}/`).resolve(args.path),
    }))
  },
}

/** Bundles `bench/<file>` and returns the path of the JavaScript file to run with node. */
export async function bundleServer(file: string): Promise<string> {
  await mkdir(outDir, { recursive: true })
  const outfile = `${outDir}${file.replace(/^\.\//, '').replace(/\.ts$/, '.mjs')}`
  await build({
    entryPoints: [fileURLToPath(new URL(file, import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    plugins: [inlineJson],
    logLevel: 'warning',
  })
  // The worker's render threads load ./render-thread.js beside the bundle, as in dist/.
  await build({
    entryPoints: [fileURLToPath(new URL('../src/daemon/worker/render-thread.ts', import.meta.url))],
    outfile: `${outDir}render-thread.js`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  })
  await writeFile(`${outDir}package.json`, '{ "type": "module" }\n')
  return outfile
}
