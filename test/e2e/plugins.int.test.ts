/**
 * A service plugin from a local folder (test/fixtures/plugins/forge, named in AREA_PLUGINS) in the
 * two setups: embedded (PGlite, in-process queue) and the Helm chart's (API, worker and scheduler
 * processes on Postgres and Redis). Its AREAs are applied, its webhook action and its polling
 * action fire, and its reaction reaches a local sink, exactly as a built-in's would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiUser, applyArea, call, signup, waitFor, webhookOf } from '../support/api/client.js'
import type { DaemonProcess } from '../support/daemon/process.js'
import { openTopology, printLogsOnFailure, type Topology } from '../support/daemon/topology.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'

const pluginEnv = {
  // Relative to the working directory: the processes run in the checkout (test/support/daemon).
  AREA_PLUGINS: './test/fixtures/plugins/forge',
  AREA_MIN_POLL_INTERVAL_SECONDS: '1',
}

const area = (
  name: string,
  action: Record<string, unknown>,
  sinkUrl: string,
  path: string,
  text: string,
) => ({
  apiVersion: 'area/v1',
  kind: 'Area',
  metadata: { name },
  spec: {
    action,
    reactions: [
      { id: 'tell', service: 'forge', reaction: 'post', params: { url: `${sinkUrl}${path}`, text } },
    ],
  },
})

describe.each([
  { setup: 'embedded (PGlite, in-process queue)', embedded: true, roles: ['all'] },
  {
    setup: 'Postgres and Redis, one process per role',
    embedded: false,
    roles: ['api', 'worker', 'scheduler'],
  },
])('a plugin service, $setup', ({ setup, embedded, roles }) => {
  let topology: Topology
  let sink: HttpSink
  let api: DaemonProcess
  let user: ApiUser
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    topology = await openTopology({
      name: embedded ? 'plugins_embedded' : 'plugins_pg',
      embedded,
      env: pluginEnv,
    })
    sink = await startHttpSink()
    // The forge API: its issues endpoint (polled) and a chat room (the reaction's target).
    sink.respond = (request) => {
      if (request.method === 'GET' && request.path === '/issues')
        return { status: 200, body: [{ number: 7, title: 'Crash on start' }] }
      if (request.method === 'POST') return { status: 201, body: { room: request.path.slice(1) } }
      return undefined
    }
    const started = await topology.start(...roles)
    api = started[0] as DaemonProcess
    user = await signup(api.url, `plugins-${embedded ? 'e' : 'p'}@example.test`)
  }, 180_000)

  afterAll(async () => {
    await topology?.close()
    await sink?.close()
  }, 120_000)

  it('lists the plugin in the server catalog beside the built-ins', async () => {
    const { status, body } = await call<{ items: { id: string; actions: { id: string }[] }[] }>(
      api.url,
      'GET',
      '/v1/services',
      {
        token: user.token,
      },
    )
    expect(status).toBe(200)
    const forge = body.items.find((s) => s.id === 'forge')
    expect(forge?.actions.map((a) => a.id)).toEqual(['push', 'new_issue'])
    expect(body.items.map((s) => s.id)).toContain('github')
  })

  it('applies its AREAs and runs its webhook, its poll and its reaction', async () => {
    await applyArea(
      user,
      area(
        'forge-push',
        { service: 'forge', action: 'push', params: { branch: 'main' } },
        sink.url,
        '/dev',
        'pushed: {{ trigger.message }}',
      ),
    )
    await applyArea(
      user,
      area(
        'forge-issues',
        {
          service: 'forge',
          action: 'new_issue',
          trigger: { polling: { interval: '1s' } },
          params: { url: `${sink.url}/issues` },
        },
        sink.url,
        '/triage',
        'issue #{{ trigger.number }}: {{ trigger.title }}',
      ),
    )
    // A plugin's params are checked like a built-in's: a 4xx naming the field.
    const refused = await call<{ issues?: { path: string }[] }>(user.baseUrl, 'PUT', '/v1/areas/forge-bad', {
      token: user.token,
      body: area(
        'forge-bad',
        { service: 'forge', action: 'push', params: { branch: 3 } },
        sink.url,
        '/x',
        'x',
      ),
    })
    expect(refused.status).toBe(400)
    expect(JSON.stringify(refused.body)).toContain('/spec/action/params/branch')

    const target = await webhookOf(user, 'forge-push')
    expect(target.webhookUrl).toMatch(/\/webhooks\/forge\/[0-9a-f-]{36}$/)
    const path = new URL(target.webhookUrl).pathname
    const deliver = (token: string, body: Record<string, unknown>) =>
      fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forge-token': token },
        body: JSON.stringify(body),
      })
    // The plugin's verify() refuses a wrong token; its trigger() skips another branch.
    expect(
      (await deliver('wrong', { id: 'd0', repo: 'acme/app', branch: 'main', message: 'no' })).status,
    ).toBe(401)
    expect(
      (await deliver(target.secret, { id: 'd1', repo: 'acme/app', branch: 'dev', message: 'skip' })).status,
    ).toBe(202)
    expect(
      (await deliver(target.secret, { id: 'd2', repo: 'acme/app', branch: 'main', message: 'Fix the build' }))
        .status,
    ).toBe(202)

    const pushed = await waitFor(`the push reaction (${setup})`, async () =>
      sink.requests.find((r) => r.method === 'POST' && r.path === '/dev'),
    )
    expect(pushed.json).toMatchObject({ text: 'pushed: Fix the build' })
    const triaged = await waitFor(`the poll reaction (${setup})`, async () =>
      sink.requests.find((r) => r.method === 'POST' && r.path === '/triage'),
    )
    expect(triaged.json).toMatchObject({ text: 'issue #7: Crash on start' })

    // The run is logged as a built-in's is.
    const logs = await waitFor('the push log with its execution', async () => {
      const { body } = await call<{ items: { executions: { status: string }[] }[] }>(
        api.url,
        'GET',
        '/v1/logs?area=forge-push',
        { token: user.token },
      )
      const done = body.items?.filter((i) => i.executions.some((e) => e.status === 'success'))
      return done?.length ? done : undefined
    })
    expect(logs).toHaveLength(1)
    expect(sink.requests.filter((r) => r.path === '/dev')).toHaveLength(1)
  })
})
