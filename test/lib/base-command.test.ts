/**
 * The base command's contract, in process: a command returns its result; the base prints it as
 * JSON with --json or through render() otherwise, applies exitCodeOf() after printing, prints
 * nothing for a command without a result, and maps every failure (the daemon's configuration
 * errors included) to an exit code.
 */
import { Config, Errors } from '@oclif/core'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { ConfigError, loadDaemonConfig } from '../../src/daemon/config.js'
import { BaseCommand, describeError } from '../../src/lib/base-command.js'
import { ExitCode, type ExitCodeValue } from '../../src/lib/exit-codes.js'
import { repoRoot } from '../support/cli/run-cli.js'

interface Greeting {
  name: string
  changed: boolean
  secret: string
}

class Greet extends BaseCommand<typeof Greet, Greeting> {
  static override summary = 'A command with a result.'
  static override strict = false
  async run(): Promise<Greeting> {
    return { name: 'ada', changed: this.argv.includes('changed'), secret: 'kept for render' }
  }
  protected override render(greeting: Greeting): string {
    return `hello ${greeting.name} (${greeting.secret})`
  }
  protected override toSuccessJson({ name, changed }: Greeting): unknown {
    return { name, changed }
  }
  protected override exitCodeOf(greeting: Greeting): ExitCodeValue {
    return greeting.changed ? ExitCode.changes : ExitCode.ok
  }
}

class Stream extends BaseCommand<typeof Stream> {
  static override summary = 'A command that writes its own lines.'
  async run(): Promise<void> {
    this.out(this.jsonOutput ? '{"line":1}' : 'line 1')
  }
}

class Forgetful extends BaseCommand<typeof Forgetful, { n: number }> {
  static override summary = 'A command with a result and no render.'
  async run(): Promise<{ n: number }> {
    return { n: 1 }
  }
}

class Misconfigured extends BaseCommand<typeof Misconfigured> {
  static override summary = 'A command whose daemon configuration is invalid.'
  async run(): Promise<void> {
    // A single role needs Redis: the daemon's own check, not a hand-made error.
    loadDaemonConfig({}, { roles: ['worker'] })
  }
}

let config: Config
let stdout: string
let stderr: string

beforeAll(async () => {
  process.env.NO_COLOR = '1'
  config = await Config.load(repoRoot)
})

afterEach(() => {
  vi.restoreAllMocks()
})

async function run(
  command: { run(argv: string[], config: Config): Promise<unknown> },
  argv: string[],
): Promise<number> {
  stdout = ''
  stderr = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stdout += String(chunk)
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined
    done?.()
    return true
  })
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stderr += String(chunk)
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined
    done?.()
    return true
  })
  try {
    await command.run(argv, config)
    return ExitCode.ok
  } catch (error) {
    if (error instanceof Errors.ExitError) return error.oclif.exit ?? ExitCode.error
    throw error
  } finally {
    vi.restoreAllMocks()
  }
}

describe('BaseCommand: run() returns the result, the base prints it', () => {
  it('renders the result for people, on stdout with a final newline', async () => {
    expect(await run(Greet, [])).toBe(ExitCode.ok)
    expect(stdout).toBe('hello ada (kept for render)\n')
    expect(stderr).toBe('')
  })

  it('prints toSuccessJson(result) as indented JSON with --json, without rendering', async () => {
    expect(await run(Greet, ['--json'])).toBe(ExitCode.ok)
    expect(stdout).toBe(`${JSON.stringify({ name: 'ada', changed: false }, null, 2)}\n`)
  })

  it('exits with exitCodeOf(result) once the result is printed', async () => {
    expect(await run(Greet, ['changed', '--json'])).toBe(ExitCode.changes)
    expect(JSON.parse(stdout)).toEqual({ name: 'ada', changed: true })
    expect(await run(Greet, ['changed'])).toBe(ExitCode.changes)
    expect(stdout).toBe('hello ada (kept for render)\n')
  })

  it('prints nothing after a command without a result (a stream writes its own lines)', async () => {
    expect(await run(Stream, [])).toBe(ExitCode.ok)
    expect(stdout).toBe('line 1\n')
    expect(await run(Stream, ['--json'])).toBe(ExitCode.ok)
    expect(stdout).toBe('{"line":1}\n')
  })

  it('reports a result without render() as a bug (exit 1), and still prints it with --json', async () => {
    expect(await run(Forgetful, [])).toBe(ExitCode.error)
    expect(stdout).toBe('')
    expect(stderr).toContain('returned a result but has no render()')
    expect(await run(Forgetful, ['--json'])).toBe(ExitCode.ok)
    expect(JSON.parse(stdout)).toEqual({ n: 1 })
  })
})

describe('BaseCommand: configuration errors are invalid input (exit 3) in one place', () => {
  it("maps the daemon's ConfigError to exit 3 with its stable code", () => {
    const failure = describeError(new ConfigError(['REDIS_URL is not set']))
    expect(failure).toMatchObject({ code: 'invalid_configuration', exitCode: ExitCode.invalid })
    expect(failure.message).toContain('REDIS_URL is not set')
  })

  it('exits 3 when a command lets the configuration error through', async () => {
    expect(await run(Misconfigured, [])).toBe(ExitCode.invalid)
    expect(stderr).toMatch(/^Error: invalid configuration:\n {2}- REDIS_URL is not set/)
    expect(await run(Misconfigured, ['--json'])).toBe(ExitCode.invalid)
    expect(JSON.parse(stderr)).toMatchObject({ error: { code: 'invalid_configuration' } })
    expect(stdout).toBe('')
  })
})
