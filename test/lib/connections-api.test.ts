/** `area connections add --token-stdin` reads what the service's declaration says. */
import { describe, expect, it } from 'vitest'
import { CliError } from '../../src/lib/cli-error.js'
import {
  credentialsFromFields,
  credentialsFromStdin,
  type DeclaredCredentials,
  kindFields,
} from '../../src/lib/connections-api.js'

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
        message:
          'an email connection reads a JSON object from stdin: {"host", "port", "password"}, or password alone with --field host=… --field port=…',
      })
    }
  })
})

describe('several kinds, --field and the secret on stdin', () => {
  const http: DeclaredCredentials = {
    ...declared('baseUrl', 'token'),
    kind: 'bearer',
    fields: [field('baseUrl'), field('token', true)],
    alternatives: [
      {
        kind: 'basic',
        fields: [field('baseUrl'), field('username'), field('password', true)],
        fieldsSchema: {},
      },
    ],
  }

  it('picks the kind --kind names, the first by default, and lists them for an unknown one', () => {
    expect(kindFields('http', http, undefined).kind).toBe('bearer')
    expect(kindFields('http', http, 'basic').fields.map((f) => f.name)).toEqual([
      'baseUrl',
      'username',
      'password',
    ])
    expect(() => kindFields('http', http, 'digest')).toThrow('use --kind bearer, basic')
  })

  it('takes non-secret fields from --field, refuses a secret or unknown one there, and reads the secret from stdin', () => {
    const basic = kindFields('http', http, 'basic')
    const given = credentialsFromFields(basic, ['baseUrl=https://api.example.test/', 'username= me '])
    expect(given).toEqual({ baseUrl: 'https://api.example.test/', username: 'me' })
    expect(credentialsFromStdin('http', basic, 'p4ss\nignored', given)).toEqual({
      ...given,
      password: 'p4ss',
    })
    // A JSON object still gives everything at once.
    expect(credentialsFromStdin('http', basic, '{"password":"p","username":"u"}', given)).toEqual({
      baseUrl: 'https://api.example.test/',
      username: 'u',
      password: 'p',
    })
    expect(() => credentialsFromFields(basic, ['password=p'])).toThrow(
      'password is a secret: pipe it in with --token-stdin',
    )
    expect(() => credentialsFromFields(basic, ['nope=1'])).toThrow(
      '--field takes name=value with a field of kind basic',
    )
    expect(() => credentialsFromFields(basic, ['baseUrl'])).toThrow('--field takes name=value')
  })
})
