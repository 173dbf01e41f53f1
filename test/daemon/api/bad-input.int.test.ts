/**
 * Bad input to `/v1` is a clear 400 that changes nothing, never a 500 (docs/architecture.md,
 * "Bad input and quotas"): bodies nested too deep, strings Postgres cannot store (U+0000, an
 * unpaired surrogate) anywhere in a body, query or path, out-of-range times and durations,
 * forged cursors. On both drivers, since each database refuses such values in its own way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { encodeCursor } from '../../../src/features/areas/cursor.js'
import { type Caller, expectProblem, hookArea, signUp, timerArea } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { drivers } from '../../support/db/stores.js'

/** JSON text of `inner` wrapped in `depth` arrays, built as text (JSON.stringify would overflow). */
const nested = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`

describe.each(drivers)('bad input to /v1 (%s)', (driver) => {
  let t: TestDaemonContext
  let app: AreaApp
  let me: Caller

  /** A request with a body sent as the exact text given. */
  const send = (method: 'PUT' | 'POST', url: string, body: string) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${me.token}`, 'content-type': 'application/json' },
      payload: body,
    })

  /** What a refused request must leave as it was. */
  const snapshot = async () => ({
    areas: await t.ctx.store.db.selectFrom('areas').select(['name', 'revision']).orderBy('name').execute(),
    events: Number(
      (
        await t.ctx.store.db
          .selectFrom('hook_logs')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n,
    ),
    connections: Number(
      (
        await t.ctx.store.db
          .selectFrom('user_services')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n,
    ),
  })

  beforeAll(async () => {
    t = await openTestDaemonContext(driver)
    app = await buildApp(t.ctx)
    me = await signUp(app)
    expect((await me.call('PUT', '/v1/areas/alpha', hookArea('alpha'))).statusCode).toBe(201)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  it('refuses bodies nested deeper than 64 levels with json_too_deep, before parsing them', async () => {
    const before = await snapshot()
    const document = JSON.stringify(hookArea('deep', 'x'))
    const deepParams = document.replace(
      '"params":{"text":"x"}',
      `"params":{"text":"x","extra":${nested(100)}}`,
    )
    expect(deepParams).not.toBe(document)
    for (const [method, url, body] of [
      ['PUT', '/v1/areas/deep', deepParams],
      ['POST', '/v1/areas', deepParams],
      ['POST', '/v1/areas/apply', `{"documents":[${deepParams}]}`],
      ['POST', '/v1/areas/alpha/run', `{"event":{"deep":${nested(20_000)}}}`],
      [
        'POST',
        '/v1/connections',
        `{"service":"github","kind":"token","credentials":{"token":${nested(20_000, '"x"')}}}`,
      ],
    ] as const) {
      const problem = expectProblem(await send(method, url, body), 400, 'json_too_deep')
      expect(problem.detail).toContain('64 levels')
    }
    // Shallower nesting in a param is the param's business (here a type error), not a crash.
    const shallow = document.replace('"params":{"text":"x"}', `"params":{"text":${nested(50, '"x"')}}`)
    expectProblem(await send('PUT', '/v1/areas/deep', shallow), 400, 'validation_failed')
    expect(await snapshot()).toEqual(before)
  })

  it('refuses U+0000 and unpaired surrogates anywhere, naming where', async () => {
    const before = await snapshot()
    const withText = (text: string, where: 'description' | 'param' | 'label') => {
      const doc = hookArea('odd', 'x') as ReturnType<typeof hookArea> & { metadata: Record<string, unknown> }
      if (where === 'description') doc.metadata.description = text
      if (where === 'label') doc.metadata.labels = { [text]: 'v' }
      if (where === 'param') doc.spec.reactions[0]!.params.text = text
      return JSON.stringify(doc)
    }
    const cases: [method: 'PUT' | 'POST', url: string, body: string, path: string][] = [
      ['PUT', '/v1/areas/odd', withText('nul \u0000 here', 'description'), '/metadata/description'],
      ['PUT', '/v1/areas/odd', withText('half \ud800 pair', 'param'), '/spec/reactions/0/params/text'],
      ['PUT', '/v1/areas/odd', withText('low \udc00 first', 'param'), '/spec/reactions/0/params/text'],
      ['PUT', '/v1/areas/odd', withText('k\u0000', 'label'), '/metadata/labels/k\u0000'],
      [
        'POST',
        '/v1/areas/apply',
        `{"documents":[${withText('nul \u0000', 'description')}]}`,
        '/documents/0/metadata/description',
      ],
      ['POST', '/v1/areas/alpha/run', '{"event":{"text":"a \\u0000 b"}}', '/event/text'],
      ['POST', '/v1/areas/alpha/run', '{"event":{"\\ud800":1}}', '/event/\ud800'],
      [
        'POST',
        '/v1/connections',
        '{"service":"github","kind":"token","credentials":{"token":"ghp_\\u0000"}}',
        '/credentials/token',
      ],
    ]
    for (const [method, url, body, path] of cases) {
      const problem = expectProblem(await send(method, url, body), 400, 'validation_failed')
      expect(problem.errors, `${url} ${body}`).toEqual([{ path, message: expect.stringContaining('U+0000') }])
    }
    const query = expectProblem(await me.call('GET', '/v1/areas?label=a%00b'), 400, 'validation_failed')
    expect(query.errors).toEqual([{ path: '/query/label', message: expect.stringContaining('U+0000') }])
    const open = await app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { email: 'nul@example.test', password: 'correct horse battery', displayName: 'a\u0000b' },
    })
    expectProblem(open, 400, 'validation_failed')
    expect(await snapshot()).toEqual(before)
    const users = await t.ctx.store.db.selectFrom('users').select('email').execute()
    expect(users.map((u) => u.email)).not.toContain('nul@example.test')
  })

  it('refuses times, durations and cursors out of range with 400', async () => {
    for (const since of ['1000000d', '100000000000d', '99999999999999999999d', '0001-01-01', '2025-13-45']) {
      const problem = expectProblem(await me.call('GET', `/v1/logs?since=${since}`), 400, 'validation_failed')
      expect(problem.errors?.[0]?.path, since).toBe('/query/since')
    }
    expect((await me.call('GET', '/v1/logs?since=3650d')).statusCode).toBe(200)
    expect((await me.call('GET', '/v1/logs?since=2025-01-31T09:00:00Z')).statusCode).toBe(200)

    const forged = [
      encodeCursor(['2025-13-45T99:00:00.000000Z', '0b6a7f4e-3c1d-4e5f-8a9b-0c1d2e3f4a5b']),
      encodeCursor(['2025-02-30T09:00:00.000000Z', '0b6a7f4e-3c1d-4e5f-8a9b-0c1d2e3f4a5b']),
    ]
    for (const cursor of forged) {
      const problem = expectProblem(
        await me.call('GET', `/v1/logs?cursor=${cursor}`),
        400,
        'validation_failed',
      )
      expect(problem.errors?.[0]?.path).toBe('/query/cursor')
    }
    for (const name of ['a\u0000b', 'Not A Name']) {
      const problem = expectProblem(
        await me.call('GET', `/v1/areas?cursor=${encodeCursor(name)}`),
        400,
        'validation_failed',
      )
      expect(problem.errors?.[0]?.path).toBe('/query/cursor')
    }
  })

  it('refuses polling intervals too long to schedule with 400, writing nothing', async () => {
    const before = await snapshot()
    for (const interval of ['99999999999999999999d', '100000000000d', '3651d']) {
      const timer = expectProblem(
        await me.call('PUT', '/v1/areas/slow', timerArea('slow', interval)),
        400,
        'validation_failed',
      )
      expect(timer.errors?.[0]?.path, interval).toBe('/spec/action/params')
    }
    const feed = {
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'slow' },
      spec: {
        action: {
          service: 'rss',
          action: 'new_item',
          trigger: { polling: { interval: '99999999999999999999d' } },
          params: { url: 'http://127.0.0.1:9/feed.xml' },
        },
        reactions: [{ id: 'note', service: 'test', reaction: 'note', params: { text: 'x' } }],
      },
    }
    const explicit = expectProblem(await me.call('PUT', '/v1/areas/slow', feed), 400, 'validation_failed')
    expect(explicit.errors?.[0]?.path).toBe('/spec/action/trigger/polling/interval')
    expect(await snapshot()).toEqual(before)
  })
})
