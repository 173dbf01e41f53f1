/**
 * Credentials declared by services: the check the API runs (declared fields kept, `validate`
 * first, then the schema), the typed reading handlers do, the kinds and the catalog's summary,
 * and the OAuth settings named after the service id.
 */
import { Type } from '@sinclair/typebox'
import { describe, expect, it } from 'vitest'
import {
  accept,
  authKindOf,
  checkCredentials,
  connectionKinds,
  declarationOfKind,
  declarationsOf,
  declaredCredentials,
  defineCredentials,
  oauthClientSettings,
  oauthSettings,
  parseAuth,
  parseAuthOf,
  refuse,
  tokenCredentials,
} from '../../src/engine/credentials.js'
import { defineService } from '../../src/engine/define.js'
import { PermanentError } from '../../src/engine/errors.js'
import { createRegistry, resolveSettings, settingsOf } from '../../src/engine/registry.js'
import { createEngine } from '../../src/engine/run.js'
import { email } from '../../src/services/email/index.js'
import { smtpCredentials } from '../../src/services/email/smtp-credentials.js'
import { github } from '../../src/services/github/index.js'
import { http } from '../../src/services/http/index.js'
import { timer } from '../../src/services/timer/index.js'

const service = (id: string, auth: Parameters<typeof defineService>[0]['auth']) =>
  defineService({ id, name: id, description: '', auth, actions: [], reactions: [] })

describe('tokenCredentials', () => {
  const token = tokenCredentials()

  it('keeps the token trimmed and drops fields it does not declare', () => {
    expect(checkCredentials(token, { token: '  ghp_x \n', extra: 'dropped' }, '/credentials')).toEqual({
      ok: true,
      value: { token: 'ghp_x' },
    })
  })

  it('refuses a blank, missing, non-string or oversized token at the token field', () => {
    for (const input of [{ token: '  ' }, {}, { token: 42 }, { token: 'x'.repeat(8193) }]) {
      expect(checkCredentials(token, input, '/credentials'), JSON.stringify(input)).toEqual({
        ok: false,
        issues: [
          { path: '/credentials/token', message: 'must be a non-empty token (at most 8192 characters)' },
        ],
      })
    }
  })

  it('marks the token secret for the catalog and the CLI', () => {
    expect(token.fields.properties.token?.writeOnly).toBe(true)
  })
})

describe('a declaration without validate', () => {
  const apiKey = defineCredentials({
    kind: 'api_key',
    fields: Type.Object(
      {
        key: Type.String({ minLength: 1, writeOnly: true }),
        region: Type.String({ default: 'eu' }),
      },
      { additionalProperties: false },
    ),
  })

  it('is checked against its schema, defaults filled, with Ajv issues under the base path', () => {
    expect(checkCredentials(apiKey, { key: 'k' })).toEqual({ ok: true, value: { key: 'k', region: 'eu' } })
    expect(checkCredentials(apiKey, { region: 'us' }, '/credentials')).toEqual({
      ok: false,
      issues: [{ path: '/credentials/key', message: 'is required' }],
    })
  })

  it('refuses kinds that are not names or are reserved', () => {
    const fields = Type.Object({})
    for (const kind of ['none', 'oauth2', 'Token', 'api-key', '']) {
      expect(() => defineCredentials({ kind, fields }), kind).toThrow('credentials kind')
    }
  })
})

describe('the email service’s smtp credentials', () => {
  it('normalizes what a person types into what is stored', () => {
    expect(
      checkCredentials(smtpCredentials, { host: 'mx', port: '2525', secure: 'true', user: '', from: 'a@b' }),
    ).toEqual({ ok: true, value: { host: 'mx', port: 2525, secure: true, from: 'a@b' } })
    expect(checkCredentials(smtpCredentials, { host: 'mx' })).toEqual({
      ok: true,
      value: { host: 'mx', port: 587, secure: false },
    })
  })

  it('refuses a missing host or a port that is not a TCP port, for the whole credentials', () => {
    expect(checkCredentials(smtpCredentials, { port: 25 }, '/credentials')).toEqual({
      ok: false,
      issues: [{ path: '/credentials', message: 'host is missing' }],
    })
    expect(checkCredentials(smtpCredentials, { host: 'mx', port: 70000 }, '/credentials')).toEqual({
      ok: false,
      issues: [{ path: '/credentials', message: 'port is not a TCP port' }],
    })
  })

  it('is what handlers read, typed, or a permanent error saying what to do', () => {
    expect(parseAuth(smtpCredentials, { host: 'mx', port: 25, secure: false }, 'missing')).toEqual({
      host: 'mx',
      port: 25,
      secure: false,
    })
    const missing = (() => {
      try {
        return parseAuth(smtpCredentials, undefined, 'add an smtp connection')
      } catch (error) {
        return error
      }
    })()
    expect(missing).toBeInstanceOf(PermanentError)
    expect(missing).toMatchObject({ code: 'connection_missing', message: 'add an smtp connection' })
    expect(() => parseAuth(smtpCredentials, { port: 25 }, 'missing')).toThrow(
      'the smtp connection is invalid: host is missing; add it again',
    )
  })
})

describe('kinds', () => {
  it('follow the declarations: none, a declared kind, and oauth2 beside it with an OAuth block', () => {
    expect(declaredCredentials(timer)).toBeUndefined()
    expect([authKindOf(timer), connectionKinds(timer)]).toEqual(['none', []])
    expect([authKindOf(email), connectionKinds(email)]).toEqual(['smtp', ['smtp']])
    expect([authKindOf(github), connectionKinds(github)]).toEqual(['oauth2', ['token', 'oauth2']])
  })

  it('include the alternatives, and stored credentials tell which kind they are', () => {
    expect(connectionKinds(http)).toEqual(['bearer', 'basic', 'api_key', 'oauth2_client', 'oauth2_code'])
    expect(declarationOfKind(http, 'api_key')?.kind).toBe('api_key')
    expect(declarationOfKind(http, 'oauth2')).toBeUndefined()
    const all = declarationsOf(http)
    const base = 'https://api.example.com/v1/'
    expect(parseAuthOf(all, { baseUrl: base, token: 't' })).toEqual({
      kind: 'bearer',
      value: { baseUrl: base, token: 't' },
    })
    expect(parseAuthOf(all, { baseUrl: base, username: 'u', password: 'p' }).kind).toBe('basic')
    expect(parseAuthOf(all, { baseUrl: base, key: 'k', query: 'appid' }).kind).toBe('api_key')
    // A field no kind has, or one missing, fits none: the connection must be added again.
    expect(() => parseAuthOf(all, { baseUrl: base, token: 't', extra: 1 })).toThrow(
      'the connection fits none of the kinds bearer, basic, api_key, oauth2_client, oauth2_code',
    )
    expect(() => parseAuthOf(all, { token: 't' })).toThrow('fits none')
  })
})

describe('OAuth settings', () => {
  it('are named after the service id, with the block’s endpoints as defaults', () => {
    expect(
      Object.fromEntries(Object.entries(oauthSettings(github)).map(([key, s]) => [key, [s.env, s.default]])),
    ).toEqual({
      oauthClientId: ['AREA_GITHUB_CLIENT_ID', ''],
      oauthClientSecret: ['AREA_GITHUB_CLIENT_SECRET', ''],
      oauthAuthorizeUrl: ['AREA_GITHUB_OAUTH_AUTHORIZE_URL', 'https://github.com/login/oauth/authorize'],
      oauthTokenUrl: ['AREA_GITHUB_OAUTH_TOKEN_URL', 'https://github.com/login/oauth/access_token'],
    })
    expect(oauthSettings(email)).toEqual({})
    const dashed = service(
      'my-forge',
      tokenCredentials({
        oauth2: { authorizeUrl: 'https://f.test/a', tokenUrl: 'https://f.test/t', scopes: [] },
      }),
    )
    expect(Object.values(oauthSettings(dashed)).map((s) => s.env)).toEqual([
      'AREA_MY_FORGE_CLIENT_ID',
      'AREA_MY_FORGE_CLIENT_SECRET',
      'AREA_MY_FORGE_OAUTH_AUTHORIZE_URL',
      'AREA_MY_FORGE_OAUTH_TOKEN_URL',
    ])
  })

  it('come with the declared settings, resolved from the environment', () => {
    expect(Object.keys(settingsOf(github))).toEqual([
      'apiUrl',
      'oauthClientId',
      'oauthClientSecret',
      'oauthAuthorizeUrl',
      'oauthTokenUrl',
    ])
    const env = {
      AREA_GITHUB_CLIENT_ID: 'id',
      AREA_GITHUB_CLIENT_SECRET: 'secret',
      AREA_GITHUB_OAUTH_TOKEN_URL: 'http://127.0.0.1:1/token',
    }
    expect(oauthClientSettings(github, resolveSettings(github, env))).toEqual({
      clientId: 'id',
      clientSecret: 'secret',
      authorizeUrl: 'https://github.com/login/oauth/authorize',
      tokenUrl: 'http://127.0.0.1:1/token',
      clientIdEnv: 'AREA_GITHUB_CLIENT_ID',
      clientSecretEnv: 'AREA_GITHUB_CLIENT_SECRET',
    })
    const engine = createEngine(createRegistry([github]), env)
    expect(engine.settingsFor('github')).toMatchObject({ oauthClientId: 'id', oauthClientSecret: 'secret' })
    expect(oauthClientSettings(email, {})).toBeUndefined()
  })
})

describe('validate', () => {
  it('may refuse with a field path, or normalize', () => {
    const pin = defineCredentials({
      kind: 'pin',
      fields: Type.Object({ pin: Type.String({ pattern: '^[0-9]{4}$' }) }),
      validate: ({ pin }) =>
        typeof pin === 'string' ? accept({ pin: pin.replace(/\s/g, '') }) : refuse('/pin', 'is required'),
    })
    expect(checkCredentials(pin, { pin: '12 34' })).toEqual({ ok: true, value: { pin: '1234' } })
    expect(checkCredentials(pin, {}, '/credentials')).toEqual({
      ok: false,
      issues: [{ path: '/credentials/pin', message: 'is required' }],
    })
    expect(checkCredentials(pin, { pin: '12a' }).ok).toBe(false)
  })
})
