#!/usr/bin/env node
// The oldest Node.js this runs on: package.json's "engines" (test/package/engines.test.ts checks
// that they agree). Checked first, before anything a newer Node has (process.getBuiltinModule), and
// here rather than by oclif, whose check loads semver and reads package.json again at each start:
// 15 ms of an `area validate` (docs/architecture.md, "CLI start-up").
const NODE_MINIMUM = [20, 19]
const [nodeMajor, nodeMinor] = process.versions.node.split('.').map(Number)
if (nodeMajor < NODE_MINIMUM[0] || (nodeMajor === NODE_MINIMUM[0] && nodeMinor < NODE_MINIMUM[1])) {
  process.stderr.write(
    `area needs Node.js ${NODE_MINIMUM.join('.')} or newer; this is v${process.versions.node}. Install a newer Node.js and run it again.\n`,
  )
  process.exit(1)
}
process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'

// `area --version` answers before oclif loads: it is typed to check an install, and should take
// no longer than starting node. The line is oclif's own (config.userAgent), as `area version` prints.
// Built-ins through process.getBuiltinModule, not `import`: an ESM import of node:fs builds a
// facade that reads every export, which loads fs streams and half of node:stream for nothing.
const { readFileSync, writeFileSync } = process.getBuiltinModule('node:fs')
const { createRequire, Module } = process.getBuiltinModule('node:module')
const { dirname } = process.getBuiltinModule('node:path')
const { fileURLToPath } = process.getBuiltinModule('node:url')
const vm = process.getBuiltinModule('node:vm')

const command = process.argv[2]
if (command === '--version' && process.argv.length === 3) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`area/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else if (command === 'validate' || command === 'test') {
  // The offline commands come from one bundle, oclif included, which `npm run build` writes
  // (scripts/bundle-offline.mjs; docs/architecture.md, "CLI start-up"). oclif finds them through
  // its COMMANDS export; the manifest still lists every command for help and suggestions.
  const { execute } = loadOfflineBundle()
  const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  const commands = { strategy: 'explicit', target: './dist/offline-bundle.cjs', identifier: 'COMMANDS' }
  // No plugins: the offline commands are the package's own, and looking for user plugins (a
  // package.json under ~/.local/share/area) or loading autocomplete's costs start-up for nothing.
  await execute({
    dir: import.meta.url,
    loadOptions: {
      root: fileURLToPath(new URL('..', import.meta.url)),
      pjson: { ...pjson, oclif: { ...pjson.oclif, commands, plugins: [] } },
      userPlugins: false,
      devPlugins: false,
    },
  })
} else {
  const { execute } = await import('@oclif/core')
  await execute({ dir: import.meta.url })
}

/**
 * Compiles dist/offline-bundle.cjs with the V8 code cache the build wrote beside it
 * (scripts/code-cache.mjs): the functions a validate runs arrive compiled instead of being parsed
 * and compiled at each start. A cache V8 rejects (another Node version) costs only the compile it
 * would have cost anyway. The module goes into require's cache, where oclif's require of the same
 * file (its COMMANDS) finds it.
 */
function loadOfflineBundle() {
  const file = fileURLToPath(new URL('../dist/offline-bundle.cjs', import.meta.url))
  const cacheFile = `${file}.v8cache`
  // Plugins (AREA_PLUGINS) are ES modules the bundle import()s, and Node 20 drops a script's
  // dynamic import callback when it is compiled from a code cache ("A dynamic import callback was
  // not specified"): with plugins, the bundle is required as any CommonJS module instead
  // (docs/architecture.md, "Service plugins").
  if (process.env.AREA_PLUGINS) return createRequire(import.meta.url)(file)
  let cachedData
  try {
    cachedData = readFileSync(cacheFile)
  } catch {
    // No cache (a build without one): compiled as usual.
  }
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  })
  const module = new Module(file)
  module.filename = file
  module.paths = Module._nodeModulePaths(dirname(file))
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file))
  module.loaded = true
  Module._cache[file] = module
  // scripts/code-cache.mjs runs one validate with this set: the cache then holds what it compiled.
  if (process.env.AREA_WRITE_CODE_CACHE === '1')
    process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()))
  return module.exports
}
