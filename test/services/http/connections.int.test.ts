/**
 * README, "Connections": http.request and http.json_changed authenticated by a connection, and
 * Discord and Slack posting through a webhook_url connection, on the worker path (timer → reaction,
 * polls through pollHookJob) against local fakes. The credential reaches the fake only in the
 * header or query its kind says, is sent only under the connection's baseUrl, is dropped on a
 * redirect to another origin, and is masked out of what the run records even when the server
 * echoes it; client-credentials tokens are fetched, cached and renewed once on a 401.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { JsonObject } from '../../../src/engine/types.js'
import { drivers } from '../../support/db/stores.js'
import { type FakeDiscord, startFakeDiscord } from '../../support/fakes/discord.js'
import { type FakeSlack, startFakeSlack } from '../../support/fakes/slack.js'
import { everyMinute, type Flow, failure, fireOnce, openFlow } from '../../support/services/flow-harness.js'
import { type HttpSink, type SinkRequest, startHttpSink } from '../../support/sink/http-sink.js'

const BEARER = 'bearer-token-7f3a9c'
const PASSWORD = 'basic-password-51e2'
const API_KEY = 'api-key-0d8e4b'
const CLIENT_SECRET = 'client-secret-93ab'

describe.each(drivers)('http connections through the worker (%s)', (driver) => {
  let flow: Flow
  let api: HttpSink
  let other: HttpSink
  let discord: FakeDiscord
  let slack: FakeSlack
  let issued = 0

  beforeAll(async () => {
    ;[flow, api, other, discord, slack] = await Promise.all([
      openFlow(driver),
      startHttpSink(),
      startHttpSink(),
      startFakeDiscord(),
      startFakeSlack(),
    ])
    const base = `${api.url}/api/`
    await Promise.all([
      flow.addConnection('http', 'bearer-api', 'bearer', { baseUrl: base, token: BEARER }),
      flow.addConnection('http', 'basic-api', 'basic', { baseUrl: base, username: 'me', password: PASSWORD }),
      flow.addConnection('http', 'key-api', 'api_key', { baseUrl: base, key: API_KEY, header: 'X-Api-Key' }),
      flow.addConnection('http', 'query-api', 'api_key', { baseUrl: base, key: API_KEY, query: 'api_key' }),
      flow.addConnection('http', 'client-api', 'oauth2_client', {
        baseUrl: base,
        tokenUrl: `${api.url}/oauth/token`,
        clientId: 'area-client',
        clientSecret: CLIENT_SECRET,
        scopes: 'read write',
      }),
      flow.addConnection('discord', 'team-discord', 'webhook_url', { url: discord.webhookUrl }),
      flow.addConnection('slack', 'team-slack', 'webhook_url', { url: slack.webhookUrl }),
    ])
  })
  afterAll(async () => {
    await Promise.all([flow?.dispose(), api?.close(), other?.close(), discord?.close(), slack?.close()])
  })
  beforeEach(() => {
    api.respond = (request) => {
      if (request.path !== '/oauth/token') return undefined
      issued += 1
      return {
        status: 200,
        body: { access_token: `issued-${issued}`, token_type: 'bearer', expires_in: 3600 },
      }
    }
  })

  const call = (name: string, connection: string, params: Record<string, unknown>) =>
    flow.apply(name, {
      action: everyMinute(),
      reactions: [{ id: 'call', service: 'http', reaction: 'request', connection, params }],
    })
  const runOnce = async (name: string, connection: string, params: Record<string, unknown>) => {
    const job = await fireOnce(flow, await call(name, connection, params))
    expect(await flow.execute(job)).toBe('done')
    return job
  }
  const lastTo = (path: string): SinkRequest => {
    const found = api.requests.filter((r) => r.path.startsWith(path)).at(-1)
    if (!found) throw new Error(`no request to ${path}`)
    return found
  }
  /** Nothing a run records holds a secret: execution logs and the event row, as stored. */
  const expectNoSecretRecorded = async (hookLogId: string, secrets: string[]) => {
    const recorded = JSON.stringify([
      await flow.executions(hookLogId),
      await flow.db.selectFrom('execution_logs').selectAll().where('hook_log_id', '=', hookLogId).execute(),
      await flow.db.selectFrom('hook_logs').selectAll().where('id', '=', hookLogId).execute(),
      await flow.db.selectFrom('user_services').selectAll().execute(),
    ])
    for (const secret of secrets) expect(recorded).not.toContain(secret)
  }

  it('sends a bearer token, basic auth, an API key in a header or the query, and records none of them', async () => {
    const bearer = await runOnce('bearer', 'bearer-api', { url: `${api.url}/api/bearer`, method: 'GET' })
    expect(lastTo('/api/bearer').headers.authorization).toBe(`Bearer ${BEARER}`)

    await runOnce('basic', 'basic-api', { url: `${api.url}/api/basic`, method: 'GET' })
    const basic = Buffer.from(`me:${PASSWORD}`).toString('base64')
    expect(lastTo('/api/basic').headers.authorization).toBe(`Basic ${basic}`)

    // The connection wins over a header the params set.
    await runOnce('key', 'key-api', {
      url: `${api.url}/api/key`,
      headers: { 'X-Api-Key': 'from-params', 'X-Other': 'kept' },
    })
    expect(lastTo('/api/key').headers).toMatchObject({ 'x-api-key': API_KEY, 'x-other': 'kept' })

    const query = await runOnce('query', 'query-api', { url: `${api.url}/api/query?page=2`, method: 'GET' })
    expect(new URL(lastTo('/api/query').path, api.url).searchParams.get('api_key')).toBe(API_KEY)
    expect(new URL(lastTo('/api/query').path, api.url).searchParams.get('page')).toBe('2')

    await expectNoSecretRecorded(bearer.hookLogId, [BEARER, PASSWORD, API_KEY, CLIENT_SECRET])
    await expectNoSecretRecorded(query.hookLogId, [API_KEY])
  })

  it('masks a credential the server echoes, in the output and in an error', async () => {
    api.respond = (request) =>
      request.path === '/api/echo'
        ? { status: 200, body: { youSent: request.headers.authorization } }
        : request.path === '/api/echo-fail'
          ? { status: 400, body: { error: `bad key ${request.headers['x-api-key']}` } }
          : undefined
    const echoed = await runOnce('echo', 'bearer-api', { url: `${api.url}/api/echo`, method: 'GET' })
    const [log] = await flow.executions(echoed.hookLogId)
    expect(log?.response_payload).toMatchObject({ body: { youSent: 'Bearer <secret>' } })
    await expectNoSecretRecorded(echoed.hookLogId, [BEARER])

    const job = await fireOnce(flow, await call('echo-fail', 'key-api', { url: `${api.url}/api/echo-fail` }))
    const error = await failure(flow.execute(job))
    expect(error.errorClass).toBe('permanent')
    expect(error.message).toContain('bad key <secret>')
    await expectNoSecretRecorded(job.hookLogId, [API_KEY])
  })

  it('refuses to send a credential outside the connection’s baseUrl, and drops it on a redirect elsewhere', async () => {
    const before = other.requests.length
    for (const [name, url] of [
      ['other-host', `${other.url}/api/x`],
      ['other-path', `${api.url}/admin/x`],
      ['prefix-trick', `${api.url}/apix`],
    ] as const) {
      const job = await fireOnce(flow, await call(name, 'bearer-api', { url }))
      const error = await failure(flow.execute(job))
      expect(error.errorClass).toBe('permanent')
      expect(error.message).toContain(`the connection is for ${api.url}/api/`)
      expect(error.message).toContain('is not sent to')
    }
    expect(other.requests.length).toBe(before)

    // A redirect to another origin is followed without the connection's headers.
    api.respond = (request) =>
      request.path === '/api/moved'
        ? { status: 302, headers: { location: `${other.url}/landing` } }
        : undefined
    await runOnce('moved', 'key-api', { url: `${api.url}/api/moved`, method: 'GET' })
    await runOnce('moved-bearer', 'bearer-api', { url: `${api.url}/api/moved`, method: 'GET' })
    const landed = other.requests.filter((r) => r.path === '/landing')
    expect(landed).toHaveLength(2)
    for (const request of landed) {
      expect(request.headers['x-api-key']).toBeUndefined()
      expect(request.headers.authorization).toBeUndefined()
    }
  })

  it('gets a client-credentials token once, reuses it, and renews it once on a 401', async () => {
    const start = issued
    await runOnce('cc-1', 'client-api', { url: `${api.url}/api/cc`, method: 'GET' })
    await runOnce('cc-2', 'client-api', { url: `${api.url}/api/cc`, method: 'GET' })
    expect(issued).toBe(start + 1)
    const grant = lastTo('/oauth/token')
    expect(grant.headers.authorization).toBe(
      `Basic ${Buffer.from(`area-client:${CLIENT_SECRET}`).toString('base64')}`,
    )
    expect(Object.fromEntries(new URLSearchParams(grant.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'read write',
    })
    expect(lastTo('/api/cc').headers.authorization).toBe(`Bearer issued-${start + 1}`)

    // The API stops accepting the token: one new token, the request sent again with it.
    const base = api.respond
    let refused = 0
    api.respond = (request) => {
      if (request.path === '/api/cc' && request.headers.authorization === `Bearer issued-${start + 1}`) {
        refused += 1
        return { status: 401, body: { error: 'expired' } }
      }
      return base?.(request)
    }
    await runOnce('cc-3', 'client-api', { url: `${api.url}/api/cc`, method: 'GET' })
    expect(refused).toBe(1)
    expect(issued).toBe(start + 2)
    expect(lastTo('/api/cc').headers.authorization).toBe(`Bearer issued-${start + 2}`)

    // Still 401 with the new token: once only, then the reaction fails.
    api.respond = (request) =>
      request.path === '/api/cc' ? { status: 401, body: { error: 'nope' } } : base?.(request)
    const job = await fireOnce(
      flow,
      await call('cc-4', 'client-api', { url: `${api.url}/api/cc`, method: 'GET' }),
    )
    const error = await failure(flow.execute(job))
    expect(error.message).toContain('answered 401')
    expect(issued).toBe(start + 3)

    // A token endpoint that refuses the client fails the run, naming what to check.
    await flow.addConnection('http', 'client-refused', 'oauth2_client', {
      baseUrl: `${api.url}/api/`,
      tokenUrl: `${api.url}/oauth/token`,
      clientId: 'unknown-client',
      clientSecret: CLIENT_SECRET,
    })
    api.respond = (request) =>
      request.path === '/oauth/token' ? { status: 401, body: { error: 'invalid_client' } } : undefined
    const refusedJob = await fireOnce(
      flow,
      await call('cc-5', 'client-refused', { url: `${api.url}/api/cc`, method: 'GET' }),
    )
    const grantError = await failure(flow.execute(refusedJob))
    expect(grantError.errorClass).toBe('permanent')
    expect(grantError.message).toContain('refused the client_credentials grant (401 invalid_client)')
    await expectNoSecretRecorded(refusedJob.hookLogId, [CLIENT_SECRET, 'issued-'])
  })

  it('polls http.json_changed with a connection', async () => {
    let price = 10
    api.respond = (request) =>
      request.path.startsWith('/api/price') ? { status: 200, body: { price } } : undefined
    const applied = await flow.apply('price-watch', {
      action: {
        service: 'http',
        action: 'json_changed',
        connection: 'query-api',
        params: { url: `${api.url}/api/price`, path: 'price' },
      },
      reactions: [
        {
          id: 'note',
          service: 'slack',
          reaction: 'post_message',
          connection: 'team-slack',
          params: { text: 'price {{ trigger.value }}' },
        },
      ],
    })
    const first = await flow.poll(applied.hookJobId)
    expect(first).toMatchObject({ status: 'polled', fired: 0 })
    expect(new URL(lastTo('/api/price').path, api.url).searchParams.get('api_key')).toBe(API_KEY)
    price = 12
    const before = flow.enqueued.length
    expect(await flow.poll(applied.hookJobId, Date.now() + 120_000)).toMatchObject({
      status: 'polled',
      fired: 1,
    })
    const job = flow.enqueued.at(before)!
    expect(await flow.execute(job)).toBe('done')
    expect(slack.messages.at(-1)).toEqual({ text: 'price 12' })
    const state = JSON.stringify(await flow.hookState(applied.hookJobId))
    expect(state).not.toContain(API_KEY)
  })

  it('posts to Discord and Slack through a webhook_url connection; webhook_url or connection, exactly one', async () => {
    const applied = await flow.apply('chat', {
      action: everyMinute(),
      reactions: [
        {
          id: 'post',
          service: 'discord',
          reaction: 'send_message',
          connection: 'team-discord',
          params: { content: 'hello via connection' },
        },
        {
          id: 'echo',
          service: 'slack',
          reaction: 'post_message',
          connection: 'team-slack',
          params: { text: 'discord said {{ reactions.post.id }}' },
        },
      ],
    })
    const job = await fireOnce(flow, applied)
    expect(await flow.execute(job)).toBe('done')
    expect(JSON.parse(discord.requests.at(-1)!.body)).toEqual({ content: 'hello via connection' })
    expect(slack.messages.at(-1)).toEqual({ text: `discord said ${discord.messages.at(-1)!.id}` })
    const stored = JSON.stringify(
      await flow.db.selectFrom('areas').select('spec').where('id', '=', applied.areaId).execute(),
    )
    expect(stored).not.toContain(discord.webhookUrl)

    const reaction = (extra: JsonObject) => ({
      action: everyMinute(),
      reactions: [{ id: 'post', service: 'discord', reaction: 'send_message', ...extra }],
    })
    await expect(
      flow.apply(
        'both',
        reaction({ connection: 'team-discord', params: { webhook_url: discord.webhookUrl, content: 'x' } }),
      ),
    ).rejects.toMatchObject({
      issues: [
        {
          path: '/spec/reactions/0/params/webhook_url',
          message: expect.stringContaining('give webhook_url or connection, not both'),
        },
      ],
    })
    await expect(flow.apply('neither', reaction({ params: { content: 'x' } }))).rejects.toMatchObject({
      issues: [
        {
          path: '/spec/reactions/0/params/webhook_url',
          message: expect.stringContaining(
            'discord.send_message needs webhook_url, or a connection holding it',
          ),
        },
      ],
    })
    // A connection of another service is refused by name.
    await expect(
      flow.apply('wrong-service', reaction({ connection: 'team-slack', params: { content: 'x' } })),
    ).rejects.toMatchObject({
      issues: [
        {
          path: '/spec/reactions/0/connection',
          message: 'connection "team-slack" is for slack, not discord',
        },
      ],
    })
  })
})
