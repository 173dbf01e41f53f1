import { describe, expect, it } from 'vitest'
import { CliError } from '../../src/lib/cli-error.js'
import { ExitCode } from '../../src/lib/exit-codes.js'
import { isInteractive, requireInteractive } from '../../src/lib/tty.js'

describe('tty', () => {
  const terminal = { stdin: { isTTY: true }, stdout: { isTTY: true } }
  const piped = { stdin: { isTTY: false }, stdout: { isTTY: true } }

  it('is interactive only with stdin and stdout both terminals', () => {
    expect(isInteractive(terminal)).toBe(true)
    expect(isInteractive(piped)).toBe(false)
    expect(isInteractive({ stdin: {}, stdout: { isTTY: true } })).toBe(false)
  })

  it('refuses to prompt without a terminal, naming what to do instead, as invalid input', () => {
    expect(() => requireInteractive('Asking for a password', 'pass --password-stdin', terminal)).not.toThrow()
    let error: unknown
    try {
      requireInteractive('Asking for a password', 'pass --password-stdin', piped)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(CliError)
    expect(error).toMatchObject({
      code: 'not_interactive',
      exitCode: ExitCode.invalid,
      message:
        'Asking for a password needs an interactive terminal, and this is not one: pass --password-stdin',
    })
  })
})
