#!/usr/bin/env -S node --import tsx --no-warnings
// Runs the TypeScript sources directly (no build step), for development and tests.
// oclif maps ./dist/commands back to sources through the rootDir of tsconfig.json, which is the
// repository root (the typecheck also covers test/), so it would look for ./commands. Point it at
// the sources instead; tsx is already loaded by --import tsx, so oclif need not register one.
// The root is src/, not the repository: oclif reads oclif.manifest.json from its root, and the one
// `npm run build` writes at the top describes the last build, not the sources as they are now.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { execute, settings } from '@oclif/core'

const root = fileURLToPath(new URL('../src', import.meta.url))
const pjson = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'))
// The hooks too: ./dist/hooks/x.js is ./hooks/x.ts from src/.
const hooks = Object.fromEntries(
  Object.entries(pjson.oclif.hooks ?? {}).map(([event, path]) => [
    event,
    path.replace('./dist/', './').replace(/\.js$/, '.ts'),
  ]),
)
settings.enableAutoTranspile = false

await execute({
  development: true,
  loadOptions: { root, pjson: { ...pjson, oclif: { ...pjson.oclif, commands: './commands', hooks } } },
})
