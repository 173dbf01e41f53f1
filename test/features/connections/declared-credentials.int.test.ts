/**
 * A service's declaration is the whole story of its connections, on both drivers: a service
 * with a kind of its own (no migration, no list of kinds to extend) is connected through
 * `POST /v1/connections` checked against its fields, and the catalog shows what each service
 * takes, which fields are secret, and whether OAuth works on this server.
 */
import { Type } from '@sinclair/typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { defineCredentials } from '../../../src/engine/credentials.js'
import { defineReaction, defineService } from '../../../src/engine/define.js'
import { createRegistry } from '../../../src/engine/registry.js'
import { builtinServices } from '../../../src/services/index.js'
import { type Caller, expectProblem, signUp } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { drivers } from '../../support/db/stores.js'

const forge = defineService({
  id: 'forge',
  name: 'Forge',
  description: 'a service whose connections hold an API key and a region',
  auth: defineCredentials({
    kind: 'api_key',
    fields: Type.Object(
      {
        key: Type.String({ minLength: 1, writeOnly: true, description: 'The API key' }),
        region: Type.Union([Type.Literal('eu'), Type.Literal('us')], {
          default: 'eu',
          description: 'Region',
        }),
      },
      { additionalProperties: false },
    ),
  }),
  actions: [],
  reactions: [
    defineReaction({
      id: 'ping',
      name: 'Ping',
      description: 'does nothing',
      params: Type.Object({}, { additionalProperties: false }),
      run: async () => undefined,
    }),
  ],
})

describe.each(drivers)('credentials declared by services (%s)', (driver) => {
  let t: TestDaemonContext
  let app: AreaApp
  let me: Caller

  beforeAll(async () => {
    t = await openTestDaemonContext(driver, { registry: createRegistry([...builtinServices, forge]) })
    app = await buildApp(t.ctx)
    me = await signUp(app)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  it('connects a service with a kind of its own, checked against its fields', async () => {
    const refused = await me.call('POST', '/v1/connections', {
      service: 'forge',
      kind: 'api_key',
      credentials: { region: 'mars' },
    })
    expect(expectProblem(refused, 400, 'validation_failed').errors).toEqual([
      { path: '/credentials/key', message: 'is required' },
      { path: '/credentials/region', message: 'must be one of: eu, us' },
    ])
    const created = await me.call('POST', '/v1/connections', {
      service: 'forge',
      kind: 'api_key',
      credentials: { key: 'k-123' },
    })
    expect(created.statusCode, created.body).toBe(201)
    expect(created.json()).toMatchObject({ name: 'forge', kind: 'api_key', status: 'active' })
    const row = await t.ctx.store.db
      .selectFrom('user_services')
      .select(['kind', 'credentials_encrypted'])
      .where('user_id', '=', me.userId)
      .executeTakeFirstOrThrow()
    expect(row.kind).toBe('api_key')
    expect(JSON.parse(t.ctx.secrets.open(row.credentials_encrypted))).toEqual({ key: 'k-123', region: 'eu' })

    const oauth = await me.call('POST', '/v1/connections', {
      service: 'github',
      kind: 'oauth2',
      credentials: { token: 'x' },
    })
    expect(expectProblem(oauth, 400, 'validation_failed').errors?.[0]?.message).toContain('--web')
  })

  it('shows in the catalog what each service takes', async () => {
    const details = async (id: string) => (await me.call('GET', `/v1/services/${id}`)).json()
    const [forgeDetails, github, email, timer] = await Promise.all(
      ['forge', 'github', 'email', 'timer'].map(details),
    )
    expect(forgeDetails.authKind).toBe('api_key')
    expect(forgeDetails.credentials).toMatchObject({
      kind: 'api_key',
      kinds: ['api_key'],
      fields: [
        { name: 'key', type: 'string', required: true, secret: true, description: 'The API key' },
        { name: 'region', type: 'enum', required: false, secret: false, default: 'eu' },
      ],
      oauth2: null,
    })
    expect(github.authKind).toBe('oauth2')
    expect(github.credentials).toMatchObject({
      kind: 'token',
      kinds: ['token', 'oauth2'],
      fields: [{ name: 'token', required: true, secret: true }],
      // The test context's engine reads no environment: no OAuth app here.
      oauth2: { scopes: ['repo'], configured: false },
    })
    expect(email.authKind).toBe('smtp')
    expect(
      email.credentials.fields.map((f: { name: string; secret: boolean; required: boolean }) => [
        f.name,
        f.secret,
        f.required,
      ]),
    ).toEqual([
      ['host', false, true],
      ['port', false, false],
      ['secure', false, false],
      ['user', false, false],
      ['password', true, false],
      ['from', false, false],
    ])
    expect(timer).toMatchObject({ authKind: 'none', credentials: null })
  })
})
