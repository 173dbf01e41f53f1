/**
 * What people type without thinking (issue 12): -h, `area help [cmd]`, `area version`, a typo that
 * says what was meant, and files as arguments to validate. Through the real binary.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliInPty } from '../support/cli/pty.js'
import { cliHint, runCli } from '../support/cli/run-cli.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'area-conventions-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('help and version', () => {
  it('-h is --help, `help [cmd]` too; `version` is --version', async () => {
    const [
      rootLong,
      rootShort,
      rootHelp,
      long,
      short,
      viaHelp,
      nested,
      nestedHelp,
      version,
      versionCommand,
      json,
    ] = await Promise.all([
      runCli(['--help']),
      runCli(['-h']),
      runCli(['help']),
      runCli(['validate', '--help']),
      runCli(['validate', '-h']),
      runCli(['help', 'validate']),
      runCli(['tokens', 'create', '-h']),
      runCli(['help', 'tokens', 'create']),
      runCli(['--version']),
      runCli(['version']),
      runCli(['version', '--json']),
    ])
    expect(rootLong.stdout).toContain('COMMANDS')
    expect(rootShort).toEqual(rootLong)
    expect(rootHelp).toEqual(rootLong)
    expect(long.code).toBe(0)
    expect(long.stdout).toContain('$ area validate')
    expect(short).toEqual(long)
    expect(viaHelp).toEqual(long)
    expect(nested.stdout).toContain('$ area tokens create')
    expect(nestedHelp).toEqual(nested)
    expect(version.stdout).toMatch(/^area\/\d+\.\d+\.\d+ \S+ node-v\d+/)
    expect(versionCommand).toEqual(version)
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+$/) })
  }, 120_000)
})

describe('a mistyped command', () => {
  it('says what was meant, with the form that runs here, and exits 3 at once', async () => {
    const [typo, nested, nothingClose, json, help] = await Promise.all([
      runCli(['aply', '-f', 'areas.example.yaml']),
      runCli(['tokens', 'craete']),
      runCli(['frobnicate']),
      runCli(['aply', '--json']),
      runCli(['help', 'valdate']),
    ])
    expect(typo.code).toBe(3)
    expect(typo.stdout).toBe('')
    expect(typo.stderr).toContain('`aply` is not a command of area: did you mean `apply`?')
    // runCli starts the built bin/run.js by path: the hint names it so.
    expect(typo.stderr).toContain(`See \`${cliHint()} help\``)
    expect(nested.code).toBe(3)
    expect(nested.stderr).toContain('did you mean `tokens create`?')
    expect(nothingClose.code).toBe(3)
    expect(nothingClose.stderr).not.toContain('did you mean')
    expect(json.code).toBe(3)
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'unknown_command' } })
    expect(help.code).toBe(3)
    expect(help.stderr).toContain('did you mean `validate`?')
  }, 120_000)

  it('never prompts at a terminal either', async () => {
    const result = await runCliInPty(['aply'], { timeoutMs: 60_000 })
    expect(result.code).toBe(3)
    expect(result.output).toContain('did you mean `apply`?')
  }, 120_000)
})

describe('validate FILE…', () => {
  it('takes files as arguments, besides -f, and asks for one when none is given', async () => {
    const broken = join(dir, 'broken.yaml')
    await writeFile(broken, 'apiVersion: area/v1\nkind: Area\nmetadata: { name: x }\nspec: {}\n')
    const [positional, both, invalid, none, stdin] = await Promise.all([
      runCli(['validate', 'areas.example.yaml']),
      runCli(['validate', 'areas.example.yaml', '-f', broken, '--json']),
      runCli(['validate', broken]),
      runCli(['validate']),
      runCli(['validate', '-'], { input: 'a: [1\n' }),
    ])
    expect(positional.code).toBe(0)
    expect(positional.stdout).toMatch(/AREAs valid in 1 file\./)
    expect(both.code).toBe(3)
    const document = JSON.parse(both.stdout) as {
      valid: boolean
      areas: unknown[]
      issues: { file: string }[]
    }
    expect(document.valid).toBe(false)
    expect(document.areas.length).toBeGreaterThan(0)
    expect(document.issues[0]?.file).toContain('broken.yaml')
    expect(invalid.code).toBe(3)
    expect(invalid.stderr).toContain('broken.yaml:')
    expect(none.code).toBe(3)
    expect(none.stderr).toContain('name the AREA files to check')
    // `-` as an argument is stdin, as with -f.
    expect(stdin.code).toBe(3)
    expect(stdin.stderr).toContain('<stdin>:2:1: YAML syntax')
  }, 120_000)
})
