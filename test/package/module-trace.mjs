// Loaded with `node --import` by cli-modules.test.ts: writes the URL of every module loaded to the
// file in AREA_MODULE_TRACE: what the ESM loader loads (CommonJS entered through import included),
// and what require loads (the offline bundle is CommonJS, compiled by bin/run.js with node:vm, and
// its requires never reach the ESM loader). Builtins are written as node:NAME.
import { appendFileSync } from 'node:fs'
import { createRequire, register } from 'node:module'
import { pathToFileURL } from 'node:url'

const trace = process.env.AREA_MODULE_TRACE
register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs'
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(trace)}, url + '\\n')
  return next(url, context)
}`)}`,
)

const Module = createRequire(import.meta.url)('node:module')
const load = Module._load
Module._load = function traced(request, parent, isMain) {
  const loaded = load.call(this, request, parent, isMain)
  const name = Module.isBuiltin(request)
    ? `node:${request.replace(/^node:/, '')}`
    : pathToFileURL(Module._resolveFilename(request, parent, isMain)).href
  appendFileSync(trace, `${name}\n`)
  return loaded
}
