/**
 * README, "Connections" (http kinds and webhook_url), through the real binary against one real
 * `area serve` on Postgres and Redis: `area connections add` makes a bearer, basic, api_key and
 * oauth2_client connection for http and a webhook_url one for Discord from --field and stdin,
 * refuses a secret in --field, an unknown kind and a missing stdin without a terminal;
 * `services describe http` lists the kinds. One AREA uses them all: each credential reaches the
 * local API (the client-credentials token from the local token endpoint) and Discord's fake
 * receives the message, while no credential appears in the database's plaintext, the daemon's
 * logs, or what get, describe, export, diff, logs <event> and connections list print.
 * `connections update` rotates a key in place; a request to another host is refused, saying why.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliSession, runToEnd, signedUpSession } from '../support/cli/cli-session.js'
import { startTestServer, type TestServer } from '../support/cli/test-server.js'
import { type FakeDiscord, startFakeDiscord } from '../support/fakes/discord.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'

const BEARER = 'bearer-cli-5c1d7e9a'
const NEW_BEARER = 'bearer-cli-rotated-2b8f'
const PASSWORD = 'basic-cli-pass-44aa'
const API_KEY = 'key-cli-0f9e8d7c'
const CLIENT_SECRET = 'client-cli-secret-71b3'
const ISSUED = 'issued-cli-token-6d2a'
// The fake Discord's webhook token: the secret part of its URL.
const DISCORD_TOKEN = 'a1b2c3-token_D4e5F6'
const SECRETS = [BEARER, NEW_BEARER, PASSWORD, API_KEY, CLIENT_SECRET, ISSUED, DISCORD_TOKEN]

let server: TestServer
let api: HttpSink
let discord: FakeDiscord
let me: CliSession

function callAll(apiUrl: string): string {
  const call = (id: string, connection: string, path: string) => [
    `    - id: ${id}`,
    '      service: http',
    '      reaction: request',
    `      connection: ${connection}`,
    '      params:',
    `        url: ${apiUrl}/api/${path}`,
    '        method: GET',
  ]
  return [
    'apiVersion: area/v1',
    'kind: Area',
    'metadata:',
    '  name: call-all',
    'spec:',
    '  action:',
    '    service: webhook',
    '    action: received',
    '  reactions:',
    ...call('bearer', 'bearer-api', 'bearer'),
    ...call('basic', 'basic-api', 'basic'),
    ...call('key', 'key-api', 'key'),
    ...call('cc', 'client-api', 'cc'),
    '    - id: chat',
    '      service: discord',
    '      reaction: send_message',
    '      connection: team-chat',
    '      params:',
    '        content: "called {{ reactions.bearer.status }}"',
    '',
  ].join('\n')
}

function elsewhere(url: string): string {
  return [
    'apiVersion: area/v1',
    'kind: Area',
    'metadata:',
    '  name: elsewhere',
    'spec:',
    '  action:',
    '    service: webhook',
    '    action: received',
    '  reactions:',
    '    - id: call',
    '      service: http',
    '      reaction: request',
    '      connection: bearer-api',
    '      params:',
    `        url: ${url}`,
    '',
  ].join('\n')
}

beforeAll(async () => {
  ;[api, discord] = await Promise.all([startHttpSink(), startFakeDiscord()])
  api.respond = (request) =>
    request.path === '/oauth/token'
      ? { status: 200, body: { access_token: ISSUED, token_type: 'bearer', expires_in: 3600 } }
      : undefined
  server = await startTestServer({
    name: 'cli-http-connections',
    store: 'postgres+redis',
    // Request lines are at debug: logged here so the test can check they hold no credential.
    env: { LOG_LEVEL: 'debug' },
  })
  me = await signedUpSession('http-connections', server.url, 'http-conn@example.com')
}, 120_000)

afterAll(async () => {
  await server?.stop()
  await Promise.all([me?.cleanup(), api?.close(), discord?.close()])
})

describe('http connections (real binary, Postgres + Redis)', { timeout: 300_000 }, () => {
  it('adds each kind from --field and stdin, refuses bad input, and describe lists the kinds', async () => {
    const base = `baseUrl=${api.url}/api/`
    const added = await Promise.all([
      me.area(
        [
          'connections',
          'add',
          'http',
          '--name',
          'bearer-api',
          '--kind',
          'bearer',
          '--field',
          base,
          '--token-stdin',
        ],
        {
          input: `${BEARER}\n`,
        },
      ),
      me.area(
        [
          'connections',
          'add',
          'http',
          '--name',
          'basic-api',
          '--kind',
          'basic',
          '--field',
          base,
          '--field',
          'username=me',
          '--token-stdin',
        ],
        { input: `${PASSWORD}\n` },
      ),
      me.area(
        [
          'connections',
          'add',
          'http',
          '--name',
          'key-api',
          '--kind',
          'api_key',
          '--field',
          base,
          '--field',
          'header=X-Api-Key',
          '--token-stdin',
        ],
        { input: `${API_KEY}\n` },
      ),
      me.area(
        [
          'connections',
          'add',
          'http',
          '--name',
          'client-api',
          '--kind',
          'oauth2_client',
          '--field',
          base,
          '--field',
          `tokenUrl=${api.url}/oauth/token`,
          '--field',
          'clientId=area-cli',
          '--field',
          'scopes=read',
          '--token-stdin',
        ],
        { input: `${CLIENT_SECRET}\n` },
      ),
      me.area(['connections', 'add', 'discord', '--name', 'team-chat', '--token-stdin'], {
        input: `${discord.webhookUrl}\n`,
      }),
    ])
    for (const result of added) {
      expect(result.code, result.stderr).toBe(0)
      for (const secret of SECRETS) expect(result.stdout + result.stderr).not.toContain(secret)
    }
    expect(added[0]?.stdout).toContain('connected http as "bearer-api"')

    const listed = await me.json<{ name: string; kind: string }[]>(['connections', 'list'])
    expect(Object.fromEntries(listed.data.map((c) => [c.name, c.kind]))).toEqual({
      'bearer-api': 'bearer',
      'basic-api': 'basic',
      'key-api': 'api_key',
      'client-api': 'oauth2_client',
      'team-chat': 'webhook_url',
    })

    const [secretInFlag, unknownKind, noStdin, badBase] = await Promise.all([
      me.area(
        [
          'connections',
          'add',
          'http',
          '--name',
          'x',
          '--kind',
          'bearer',
          '--field',
          `token=${BEARER}`,
          '--token-stdin',
        ],
        { input: 'x\n' },
      ),
      me.area(['connections', 'add', 'http', '--name', 'x', '--kind', 'digest', '--token-stdin'], {
        input: 'x\n',
      }),
      me.area(['connections', 'add', 'http', '--name', 'x', '--kind', 'bearer', '--field', base]),
      me.area(
        [
          'connections',
          'add',
          'http',
          '--name',
          'x',
          '--kind',
          'bearer',
          '--field',
          'baseUrl=ftp://x',
          '--token-stdin',
        ],
        {
          input: 'x\n',
        },
      ),
    ])
    expect(secretInFlag.code).toBe(3)
    expect(secretInFlag.stderr).toContain('token is a secret: pipe it in with --token-stdin')
    expect(secretInFlag.stderr).not.toContain(BEARER)
    expect(unknownKind.code).toBe(3)
    expect(unknownKind.stderr).toContain('use --kind bearer, basic, api_key, oauth2_client, oauth2_code')
    expect(noStdin.code).toBe(3)
    expect(noStdin.stderr).toContain('--token-stdin')
    expect(badBase.code).not.toBe(0)
    expect(badBase.stderr).toContain('/credentials/baseUrl')

    const described = await me.area(['services', 'describe', 'http'])
    expect(described.code, described.stderr).toBe(0)
    for (const kind of ['bearer', 'basic', 'api_key', 'oauth2_client', 'oauth2_code'])
      expect(described.stdout).toMatch(
        new RegExp(`Connection \\(kind ${kind}\\): .*connections add http --kind ${kind}`),
      )
  })

  it('sends each credential to the API only, and shows it nowhere else', async () => {
    const file = await me.write('call-all.yaml', callAll(api.url))
    const applied = await me.area(['apply', '-f', file])
    expect(applied.code, applied.stderr).toBe(0)
    const event = await runToEnd(me, 'call-all')
    expect(event.status).toBe('done')

    const to = (path: string) => api.requests.filter((r) => r.path === path).at(-1)?.headers
    expect(to('/api/bearer')?.authorization).toBe(`Bearer ${BEARER}`)
    expect(to('/api/basic')?.authorization).toBe(`Basic ${Buffer.from(`me:${PASSWORD}`).toString('base64')}`)
    expect(to('/api/key')?.['x-api-key']).toBe(API_KEY)
    expect(to('/api/cc')?.authorization).toBe(`Bearer ${ISSUED}`)
    expect(to('/oauth/token')?.authorization).toBe(
      `Basic ${Buffer.from(`area-cli:${CLIENT_SECRET}`).toString('base64')}`,
    )
    expect(discord.messages.at(-1)).toMatchObject({ content: 'called 200' })

    const outputs = await Promise.all([
      me.area(['logs', event.id]),
      me.area(['logs', event.id, '--json']),
      me.area(['logs', 'call-all', '--since', '1h']),
      me.area(['get', 'call-all', '-o', 'yaml']),
      me.area(['get', 'call-all', '--json']),
      me.area(['describe', 'call-all']),
      me.area(['export', 'call-all']),
      me.area(['diff', '-f', file]),
      me.area(['connections', 'list']),
      me.area(['connections', 'list', '--json']),
    ])
    for (const output of outputs) {
      expect(output.code, output.stderr).toBe(0)
      for (const secret of SECRETS) expect(output.stdout + output.stderr).not.toContain(secret)
    }
    expect(outputs[6]?.stdout).toContain('connection: team-chat')
    expect(JSON.stringify(server.daemon.logs)).not.toMatch(new RegExp(SECRETS.join('|')))

    // Every row of every table, as text: credentials are only ever stored sealed.
    const client = new pg.Client({ connectionString: server.database?.url })
    await client.connect()
    try {
      const tables = await client.query<{ name: string }>(
        "select tablename as name from pg_tables where schemaname = 'area'",
      )
      expect(tables.rows.map((t) => t.name)).toEqual(
        expect.arrayContaining(['user_services', 'execution_logs', 'hook_logs', 'areas', 'audit_logs']),
      )
      for (const { name } of tables.rows) {
        for (const secret of SECRETS) {
          const found = await client.query(
            `select 1 from area.${pg.escapeIdentifier(name)} t where to_jsonb(t)::text like $1 limit 1`,
            [`%${secret}%`],
          )
          expect(found.rowCount, `table ${name} holds a credential in clear`).toBe(0)
        }
      }
    } finally {
      await client.end()
    }
  })

  it('rotates a credential in place with connections update; refuses a host the connection is not for', async () => {
    // Every field again: the server never gives credentials back, not even the non-secret ones.
    const partial = await me.area(['connections', 'update', 'bearer-api', '--token-stdin'], {
      input: `${NEW_BEARER}\n`,
    })
    expect(partial.code).toBe(3)
    expect(partial.stderr).toContain(
      'an http connection reads a JSON object from stdin: {"baseUrl", "token"}, or token alone with --field baseUrl=…',
    )
    const updated = await me.area(
      ['connections', 'update', 'bearer-api', '--field', `baseUrl=${api.url}/api/`, '--token-stdin'],
      { input: `${NEW_BEARER}\n` },
    )
    expect(updated.code, updated.stderr).toBe(0)
    expect(updated.stdout).toContain('updated the credentials of "bearer-api"')
    const listed = await me.json<{ name: string; kind: string }[]>(['connections', 'list'])
    expect(listed.data.find((c) => c.name === 'bearer-api')?.kind).toBe('bearer')
    expect((await runToEnd(me, 'call-all')).status).toBe('done')
    expect(api.requests.filter((r) => r.path === '/api/bearer').at(-1)?.headers.authorization).toBe(
      `Bearer ${NEW_BEARER}`,
    )

    // localhost is the same machine, but not the host the connection was made for.
    const port = new URL(api.url).port
    const before = api.requests.length
    const file = await me.write('elsewhere.yaml', elsewhere(`http://localhost:${port}/api/bearer`))
    expect((await me.area(['apply', '-f', file])).code).toBe(0)
    const event = await runToEnd(me, 'elsewhere')
    expect(event.status).toBe('failed')
    const detail = await me.area(['logs', event.id])
    expect(detail.stdout).toContain(`the connection is for ${api.url}/api/`)
    expect(detail.stdout).toContain(`not sent to http://localhost:${port}/api/bearer`)
    expect(api.requests.length).toBe(before)
  })
})
