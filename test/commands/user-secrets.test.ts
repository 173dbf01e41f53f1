/**
 * README, "Secrets and terminal output" (User secrets), through the real binary against one real
 * `area serve` on Postgres and Redis: `area secrets set` from stdin or a prompt, `list`,
 * `remove`, bad names and values, another user's secret a 404, an audit row per change; and an
 * AREA whose http.request header reads `{{ secrets.API_KEY }}` delivers the value to a local sink
 * while it appears nowhere else: not in the database's plaintext, the daemon's logs, or what
 * `logs <event-id>`, `get`, `describe` and `export` print.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiUser, call, signup } from '../support/api/client.js'
import { type CliSession, runToEnd, signedUpSession } from '../support/cli/cli-session.js'
import { runCliInPty } from '../support/cli/pty.js'
import { startTestServer, type TestServer } from '../support/cli/test-server.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'

const API_KEY = 'sk_live_cli-secret-a1b2c3d4e5f6'

let server: TestServer
let sink: HttpSink
let me: CliSession
let bob: ApiUser

function secretCall(url: string): string {
  return [
    'apiVersion: area/v1',
    'kind: Area',
    'metadata:',
    '  name: secret-call',
    'spec:',
    '  action:',
    '    service: webhook',
    '    action: received',
    '  reactions:',
    '    - id: call',
    '      service: http',
    '      reaction: request',
    '      params:',
    `        url: ${url}`,
    '        headers:',
    "          x-api-key: '{{ secrets.API_KEY }}'",
    '',
  ].join('\n')
}

beforeAll(async () => {
  sink = await startHttpSink()
  server = await startTestServer({
    name: 'cli-user-secrets',
    store: 'postgres+redis',
    // Request lines are at debug: logged here so the test can check they hold no secret.
    env: { LOG_LEVEL: 'debug' },
  })
  me = await signedUpSession('user-secrets', server.url, 'secrets-cli@example.com')
  bob = await signup(server.url, 'bob-secrets@example.com')
}, 120_000)

afterAll(async () => {
  await server?.stop()
  await Promise.all([me?.cleanup(), sink?.close()])
})

describe('area secrets (real binary, Postgres + Redis)', { timeout: 300_000 }, () => {
  it('sets from stdin, lists names and dates, removes with --yes, and refuses bad input', async () => {
    const [set, other, badName, empty] = await Promise.all([
      me.area(['secrets', 'set', 'API_KEY'], { input: `${API_KEY}\n` }),
      me.json<Record<string, unknown>>(['secrets', 'set', 'OTHER_ONE'], { input: 'other value' }),
      me.area(['secrets', 'set', 'api-key'], { input: 'x\n' }),
      me.area(['secrets', 'set', 'EMPTY'], { input: '\n' }),
    ])
    expect(set.code, set.stderr).toBe(0)
    expect(set.stdout).toContain('created secret API_KEY: AREAs read it as {{ secrets.API_KEY }}')
    expect(other.code, other.stderr).toBe(0)
    expect(Object.keys(other.data).sort()).toEqual(['createdAt', 'name', 'outcome', 'updatedAt'])
    expect(other.data).toMatchObject({ name: 'OTHER_ONE', outcome: 'created' })
    expect(badName.code).toBe(3)
    expect(badName.stderr).toContain('"api-key" is not a secret name: a name is an upper-case letter')
    expect(empty.code).toBe(3)
    expect(empty.stderr).toContain('no value for EMPTY: pipe it on stdin')

    const replaced = await me.area(['secrets', 'set', 'OTHER_ONE'], { input: 'a new value\n' })
    expect(replaced.stdout).toContain('updated secret OTHER_ONE')

    const [table, json] = await Promise.all([
      me.area(['secrets', 'list']),
      me.json<{ name: string; createdAt: string; updatedAt: string }[]>(['secrets', 'list']),
    ])
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/NAME\s+CREATED\s+UPDATED/)
    expect(table.stdout).toMatch(/API_KEY\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/)
    expect(json.data.map((s) => s.name)).toEqual(['API_KEY', 'OTHER_ONE'])
    expect(Object.keys(json.data[0] ?? {}).sort()).toEqual(['createdAt', 'name', 'updatedAt'])
    for (const output of [set.stdout, set.stderr, table.stdout, JSON.stringify(json.data)])
      expect(output).not.toContain(API_KEY)

    const [unconfirmed, removed] = await Promise.all([
      me.area(['secrets', 'remove', 'OTHER_ONE']),
      me.area(['secrets', 'remove', 'OTHER_ONE', '--yes']),
    ])
    expect(unconfirmed.code).toBe(3)
    expect(unconfirmed.stderr).toContain('--yes')
    expect(removed.code, removed.stderr).toBe(0)
    expect(removed.stdout).toContain('removed OTHER_ONE')
    const again = await me.area(['secrets', 'remove', 'OTHER_ONE', '--yes'])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('you have no secret named OTHER_ONE')
  })

  it('asks for the value without echo at a terminal, and confirms a removal there', async () => {
    const typed = 'typed-at-the-terminal-42'
    const env = { AREA_CONFIG_DIR: me.configDir, AREA_API_URL: server.url }
    const asked = await runCliInPty(['secrets', 'set', 'TYPED'], {
      env,
      steps: [{ expect: /Value of TYPED:/, send: `${typed}\r` }],
    })
    expect(asked.code, asked.output).toBe(0)
    expect(asked.output).toContain('created secret TYPED')
    expect(asked.output).not.toContain(typed)
    const removed = await runCliInPty(['secrets', 'remove', 'TYPED'], {
      env,
      steps: [{ expect: /Remove the secret TYPED\?/, send: 'y\r' }],
    })
    expect(removed.code, removed.output).toBe(0)
    expect(removed.output).toContain('removed TYPED')
  })

  it("keeps each user's secrets apart and never answers a value", async () => {
    const as = (method: string, path: string, body?: unknown) =>
      call<Record<string, unknown>>(server.url, method, path, { token: bob.token, body })
    // Alice's API_KEY is not Bob's: missing for him, and his own of the same name is separate.
    expect(await as('GET', '/v1/secrets')).toMatchObject({ status: 200, body: { items: [] } })
    expect(await as('DELETE', '/v1/secrets/API_KEY')).toMatchObject({
      status: 404,
      body: { code: 'secret_not_found' },
    })
    const created = await as('PUT', '/v1/secrets/API_KEY', { value: 'bob value' })
    expect(created.status).toBe(201)
    expect(Object.keys(created.body).sort()).toEqual(['createdAt', 'name', 'updatedAt'])
    expect((await as('PUT', '/v1/secrets/API_KEY', { value: 'bob again' })).status).toBe(200)
    expect(await as('DELETE', '/v1/secrets/API_KEY')).toMatchObject({ status: 204 })
    expect((await me.json<{ name: string }[]>(['secrets', 'list'])).data.map((s) => s.name)).toEqual([
      'API_KEY',
    ])
    // Bad input is a 400 naming the field, and changes nothing.
    expect(await as('PUT', '/v1/secrets/lower_case', { value: 'x' })).toMatchObject({
      status: 400,
      body: { code: 'validation_failed', errors: [{ path: '/name' }] },
    })
    expect((await as('PUT', '/v1/secrets/OK', { value: 'x', extra: 1 })).status).toBe(400)
    expect((await as('PUT', '/v1/secrets/OK', { value: '' })).status).toBe(400)
    expect((await as('PUT', '/v1/secrets/OK', {})).status).toBe(400)
    expect(await as('GET', '/v1/secrets')).toMatchObject({ status: 200, body: { items: [] } })
  })

  it('delivers {{ secrets.API_KEY }} to the target and shows it nowhere else', async () => {
    sink.respond = (request) =>
      request.path === '/with-key'
        ? { status: 200, body: { echoed: request.headers['x-api-key'] } }
        : undefined
    const file = await me.write('secret-call.yaml', secretCall(`${sink.url}/with-key`))
    const applied = await me.area(['apply', '-f', file])
    expect(applied.code, applied.stderr).toBe(0)
    const { id: eventId, status } = await runToEnd(me, 'secret-call')
    expect(status).toBe('done')
    expect(sink.requests.find((r) => r.path === '/with-key')?.headers['x-api-key']).toBe(API_KEY)

    const outputs = await Promise.all([
      me.area(['logs', eventId]),
      me.area(['logs', eventId, '--json']),
      me.area(['logs', 'secret-call', '--since', '1h']),
      me.area(['get', 'secret-call', '-o', 'yaml']),
      me.area(['describe', 'secret-call']),
      me.area(['export', 'secret-call']),
    ])
    for (const output of outputs) {
      expect(output.code, output.stderr).toBe(0)
      expect(output.stdout + output.stderr).not.toContain(API_KEY)
    }
    // The event's detail shows the request and the echoed answer with the fingerprint.
    const [detail, , , , , exported] = outputs
    expect(detail?.stdout).toMatch(/x-api-key.*<secret:[0-9a-f]{12}>/)
    expect(detail?.stdout).toMatch(/echoed.*<secret:[0-9a-f]{12}>/)
    expect(exported?.stdout).toContain('x-api-key: "{{ secrets.API_KEY }}"')

    expect(JSON.stringify(server.daemon.logs)).not.toContain(API_KEY)
    // Every row of every table, as text: the value is only ever stored sealed.
    const client = new pg.Client({ connectionString: server.database?.url })
    await client.connect()
    try {
      const tables = await client.query<{ name: string }>(
        "select tablename as name from pg_tables where schemaname = 'area'",
      )
      expect(tables.rows.map((t) => t.name)).toContain('user_secrets')
      // Each change left its audit row, naming the secret and never its value.
      const audit = await client.query<{ action_type: string; target_resource: string }>(
        "select action_type, target_resource from area.audit_logs where action_type like 'secret.%' order by created_at",
      )
      expect(audit.rows.map((r) => `${r.action_type} ${r.target_resource}`)).toEqual(
        expect.arrayContaining([
          'secret.created secret/API_KEY',
          'secret.updated secret/OTHER_ONE',
          'secret.deleted secret/OTHER_ONE',
        ]),
      )
      for (const { name } of tables.rows) {
        const found = await client.query(
          `select 1 from area.${pg.escapeIdentifier(name)} t where to_jsonb(t)::text like $1 limit 1`,
          [`%${API_KEY}%`],
        )
        expect(found.rowCount, `table ${name} holds the secret in clear`).toBe(0)
      }
    } finally {
      await client.end()
    }
  })
})
