/** `area connections add --token-stdin` reads what the service's declaration says. */
import { describe, expect, it } from 'vitest'
import { CliError } from '../../src/lib/cli-error.js'
import { credentialsFromStdin, type DeclaredCredentials } from '../../src/lib/connections-api.js'

const field = (name: string, secret = false) => ({
  name,
  type: 'string',
  required: true,
  secret,
  description: name,
})
const declared = (...names: string[]): DeclaredCredentials => ({
  kind: 'x',
  kinds: ['x'],
  fields: names.map((n) => field(n, n === 'password')),
  fieldsSchema: {},
  oauth2: null,
})

describe('credentialsFromStdin', () => {
  it('takes the first line, trimmed, as the only field', () => {
    expect(credentialsFromStdin('github', declared('token'), ' ghp_x \nignored\n')).toEqual({
      token: 'ghp_x',
    })
  })

  it('reads several fields as a JSON object, naming them when stdin is not one', () => {
    const smtp = declared('host', 'port', 'password')
    expect(credentialsFromStdin('email', smtp, '{"host":"mx","port":25}')).toEqual({ host: 'mx', port: 25 })
    for (const stdin of ['mx.example.com\n', '[1]', 'null']) {
      const error = (() => {
        try {
          return credentialsFromStdin('email', smtp, stdin)
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(CliError)
      expect(error).toMatchObject({
        exitCode: 3,
        code: 'invalid_credentials',
        message: 'an email connection reads a JSON object from stdin: {"host", "port", "password"}',
      })
    }
  })
})
