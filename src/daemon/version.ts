import { readFileSync } from 'node:fs'

/** This build's version (package.json, two levels above src/daemon and dist/daemon alike). */
export const areaVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version
