// Loaded with `node --import` by cli-modules.test.ts: writes the URL of every module the ESM
// loader loads (CommonJS entered through import included) to the file in AREA_MODULE_TRACE.
import { register } from 'node:module'

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs'
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(process.env.AREA_MODULE_TRACE)}, url + '\\n')
  return next(url, context)
}`)}`,
)
