/**
 * `npm run build` (run by npm ci) writes oclif.manifest.json so that `area --version` and `--help`
 * need not import every command (scripts/oclif-manifest.mjs). It must list every command, and no
 * file path: commands are loaded from the binary's own commands directory.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))

function commandIds(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? commandIds(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [
            relative(join(root, 'src/commands'), join(dir, entry.name))
              .replace(/\.ts$/, '')
              .split('/')
              .join(':'),
          ]
        : [],
  )
}

describe('oclif.manifest.json', () => {
  it('lists every command of src/commands, without file paths', () => {
    const file = join(root, 'oclif.manifest.json')
    expect(existsSync(file), 'run npm run build (npm ci runs it) to write oclif.manifest.json').toBe(true)
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
      version: string
      commands: Record<string, Record<string, unknown>>
    }
    expect(manifest.version).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version)
    expect(Object.keys(manifest.commands).sort()).toEqual(commandIds(join(root, 'src/commands')).sort())
    for (const command of Object.values(manifest.commands)) {
      expect(command).not.toHaveProperty('relativePath')
      expect(command).not.toHaveProperty('isESM')
    }
  })
})
