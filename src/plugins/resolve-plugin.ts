/**
 * From a plugin as AREA_PLUGINS names it to the file to import: a path (a module file, or a folder
 * with a package.json) relative to the working directory, or a package found in `node_modules`
 * from the working directory up, then from this installation's (a plugin installed beside a global
 * `area`). A package's entry is its "exports" (the `import`, `node` or `default` condition), else
 * its "main", else index.js.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AreaError } from '../engine/errors.js'
import { isPathSpec, PLUGINS_ENV } from './plugin-specs.js'

/** A plugin that cannot be used; the CLI exits 3 with it, as with a bad setting. */
export class PluginError extends AreaError {
  constructor(message: string, options?: ErrorOptions) {
    super('invalid_plugin', message, options)
  }
}

export function resolvePlugin(spec: string, cwd: string): string {
  if (isPathSpec(spec)) {
    const path = resolve(cwd, spec)
    if (!existsSync(path)) {
      throw new PluginError(
        `plugin "${spec}" (${PLUGINS_ENV}): ${path} does not exist; paths are relative to the working directory (${cwd}): fix the path, or remove it from ${PLUGINS_ENV}`,
      )
    }
    return statSync(path).isDirectory() ? packageEntry(spec, path) : path
  }
  const from = [cwd, fileURLToPath(new URL('.', import.meta.url))]
  for (const start of from) {
    const dir = findPackage(spec, start)
    if (dir) return packageEntry(spec, dir)
  }
  throw new PluginError(
    `plugin "${spec}" (${PLUGINS_ENV}): no package "${spec}" in node_modules from ${cwd} up: install it there (npm install ${spec}), or name a folder with a path starting with ./ or /`,
  )
}

function findPackage(name: string, start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(dir) === dir) return undefined
  }
}

/** A folder's module: its package.json's entry, or index.js. */
function packageEntry(spec: string, dir: string): string {
  const manifest = join(dir, 'package.json')
  let entry = 'index.js'
  if (existsSync(manifest)) {
    let pkg: { exports?: unknown; main?: unknown }
    try {
      pkg = JSON.parse(readFileSync(manifest, 'utf8')) as typeof pkg
    } catch (error) {
      throw new PluginError(`plugin "${spec}": ${manifest} is not valid JSON (${(error as Error).message})`)
    }
    entry = exportTarget(pkg.exports) ?? (typeof pkg.main === 'string' ? pkg.main : 'index.js')
  }
  const path = resolve(dir, entry)
  if (!existsSync(path)) {
    throw new PluginError(
      `plugin "${spec}": its entry ${path} does not exist: build the plugin, or set "exports" or "main" in ${manifest} to its module`,
    )
  }
  return path
}

/** The "." export for an import from Node: a string, or the first matching condition. */
function exportTarget(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports
  if (exports === null || typeof exports !== 'object' || Array.isArray(exports)) return undefined
  const record = exports as Record<string, unknown>
  if ('.' in record) return exportTarget(record['.'])
  for (const condition of ['import', 'node', 'default']) {
    const target = exportTarget(record[condition])
    if (target) return target
  }
  return undefined
}
