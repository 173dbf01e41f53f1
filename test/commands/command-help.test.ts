/**
 * Every command documents itself (examples in --help) and the API commands share the global
 * flags; shell completion comes from @oclif/plugin-autocomplete, checked through the binary.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot, runCli } from '../support/cli/run-cli.js'

async function commandFiles(dir = join(repoRoot, 'src/commands')): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? commandFiles(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]),
    ),
  )
  return nested.flat().filter((f) => f.endsWith('.ts'))
}

const apiCommands = [
  'apply',
  'create',
  'delete',
  'describe',
  'diff',
  'disable',
  'enable',
  'export',
  'get',
  'login',
  'logout',
  'logs',
  'replay',
  'run',
  'signup',
  'status',
  'whoami',
  'tokens/create',
  'tokens/list',
  'tokens/revoke',
  'connections/update',
  'secrets/set',
  'secrets/list',
  'secrets/remove',
]

describe('command help', { timeout: 120_000 }, () => {
  it('every command has examples, and every API command has --api-url, --token, --context and --json', async () => {
    const files = await commandFiles()
    expect(files.length).toBeGreaterThanOrEqual(apiCommands.length + 5)
    for (const file of files) {
      const id = relative(join(repoRoot, 'src/commands'), file).replace(/\.ts$/, '')
      const command = (await import(file)).default as {
        examples?: unknown[]
        baseFlags?: Record<string, unknown>
      }
      expect(command.examples?.length, `${id} has no examples`).toBeGreaterThan(0)
      if (apiCommands.includes(id)) {
        expect(Object.keys(command.baseFlags ?? {}), id).toEqual(
          expect.arrayContaining(['json', 'api-url', 'token', 'context']),
        )
      }
    }
  })

  it('declares shell completion as an oclif plugin and the binary offers it', async () => {
    const pjson = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'))
    expect(pjson.oclif.plugins).toContain('@oclif/plugin-autocomplete')
    const [autocomplete, help] = await Promise.all([
      runCli(['autocomplete', '--help']),
      runCli(['apply', '--help']),
    ])
    expect(autocomplete.code).toBe(0)
    expect(autocomplete.stdout).toContain('bash')
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('$ area apply -f areas/ --prune --yes')
    expect(help.stdout).toMatch(/--api-url=<url>/)
  })
})
