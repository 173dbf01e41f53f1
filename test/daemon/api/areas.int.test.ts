/**
 * AREA routes on both drivers: apply (create, unchanged, update), create, invalid documents with
 * field paths and nothing written, batch apply (atomic, prune, dry run), details (webhook URL
 * and secret, polling state), enable/disable, run, delete, list.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../src/daemon/api/app.js'
import { clearedPollFailure, recordPollFailure } from '../../../src/store/poll-failures.js'
import { type Caller, expectProblem, hookArea, signUp, timerArea } from '../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../support/daemon/context.js'
import { drivers } from '../../support/db/stores.js'

describe.each(drivers)('AREA API (%s)', (driver) => {
  let t: TestDaemonContext
  let app: AreaApp
  let me: Caller
  const db = () => t.ctx.store.db
  const countAreas = async () =>
    (
      await db()
        .selectFrom('areas')
        .select(sql<number>`count(*)`.as('n'))
        .where('user_id', '=', me.userId)
        .executeTakeFirstOrThrow()
    ).n

  beforeAll(async () => {
    t = await openTestDaemonContext(driver)
    app = await buildApp(t.ctx)
    me = await signUp(app)
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  it('creates with PUT (201), answers unchanged for the same document, updated with the changed parts', async () => {
    const created = await me.call('PUT', '/v1/areas/notes', hookArea('notes'))
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({
      outcome: 'created',
      changes: [],
      area: { name: 'notes', revision: 1, enabled: true },
    })

    const again = await me.call('PUT', '/v1/areas/notes', hookArea('notes'))
    expect(again.statusCode).toBe(200)
    expect(again.json()).toMatchObject({ outcome: 'unchanged', changes: [], area: { revision: 1 } })

    const updated = await me.call(
      'PUT',
      '/v1/areas/notes',
      hookArea('notes', 'other text', { description: 'now described' }),
    )
    expect(updated.statusCode).toBe(200)
    expect(updated.json()).toMatchObject({
      outcome: 'updated',
      area: { revision: 2, description: 'now described' },
    })
    expect(updated.json().changes.sort()).toEqual(['description', 'reactions'])

    const audit = await db()
      .selectFrom('audit_logs')
      .select('action_type')
      .where('target_resource', '=', 'area/notes')
      .orderBy('created_at')
      .execute()
    expect(audit.map((a) => a.action_type)).toEqual(['area.created', 'area.updated'])
  })

  it('exports the canonical document: applying it back is a no-op', async () => {
    const details = (await me.call('GET', '/v1/areas/notes')).json()
    expect(details.spec).toMatchObject({
      metadata: { name: 'notes', description: 'now described' },
      spec: { enabled: true, action: { service: 'test', action: 'hook', trigger: 'webhook' } },
    })
    const reapplied = await me.call('PUT', '/v1/areas/notes', details.spec)
    expect(reapplied.json().outcome).toBe('unchanged')

    // A polling trigger with its own interval, and labels, survive the answer's serialization too.
    const feed = {
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'feed', labels: { team: 'infra' } },
      spec: {
        action: {
          service: 'test',
          action: 'feed',
          trigger: { polling: { interval: '2m' } },
          params: { min: 3 },
        },
        reactions: [
          {
            id: 'note',
            service: 'test',
            reaction: 'note',
            params: { text: '{{ trigger.value }}', count: 2 },
          },
        ],
      },
    }
    const created = (await me.call('PUT', '/v1/areas/feed', feed)).json()
    expect(created.area.spec.spec.action).toEqual({
      service: 'test',
      action: 'feed',
      trigger: { polling: { interval: '2m' } },
      params: { min: 3 },
    })
    expect(created.area.spec.metadata.labels).toEqual({ team: 'infra' })
    expect(created.area.trigger).toMatchObject({ type: 'polling', intervalSeconds: 120 })
    expect((await me.call('PUT', '/v1/areas/feed', created.area.spec)).json().outcome).toBe('unchanged')
    expect((await me.call('DELETE', '/v1/areas/feed')).statusCode).toBe(204)
  })

  it('shows a webhook AREA its URL and decrypted signing secret', async () => {
    const details = await me.call('GET', '/v1/areas/notes')
    expect(details.statusCode).toBe(200)
    const { trigger } = details.json()
    const hookJob = await db()
      .selectFrom('hook_jobs as h')
      .innerJoin('area_actions as aa', 'aa.id', 'h.area_action_id')
      .innerJoin('areas as a', 'a.id', 'aa.area_id')
      .select(['h.id', 'h.webhook_secret_encrypted'])
      .where('a.name', '=', 'notes')
      .where('a.user_id', '=', me.userId)
      .executeTakeFirstOrThrow()
    expect(trigger).toMatchObject({
      type: 'webhook',
      status: 'active',
      webhookUrl: `http://area.test/webhooks/test/${hookJob.id}`,
    })
    expect(trigger.secret).toMatch(/^whsec_/)
    expect(trigger.secret).toBe(t.ctx.secrets.open(hookJob.webhook_secret_encrypted!))
    expect(hookJob.webhook_secret_encrypted).not.toContain(trigger.secret)
  })

  it('shows a polling AREA its interval and next run', async () => {
    const created = await me.call('PUT', '/v1/areas/ticks', timerArea('ticks', '5m'))
    expect(created.statusCode).toBe(201)
    const { trigger } = created.json().area
    expect(trigger).toMatchObject({
      type: 'polling',
      status: 'active',
      intervalSeconds: 300,
      lastRunAt: null,
    })
    expect(Number.isNaN(Date.parse(trigger.nextRunAt))).toBe(false)
    expect(trigger.webhookUrl).toBeUndefined()
    expect(trigger.secret).toBeUndefined()
  })

  it('refuses POST for an existing name (409) and a PUT whose name differs from the URL (400)', async () => {
    expectProblem(await me.call('POST', '/v1/areas', hookArea('notes')), 409, 'area_exists')
    const mismatch = expectProblem(
      await me.call('PUT', '/v1/areas/other', hookArea('notes')),
      400,
      'validation_failed',
    )
    expect(mismatch.errors).toEqual([{ path: '/metadata/name', message: expect.stringContaining('"other"') }])
    const created = await me.call('POST', '/v1/areas', hookArea('fresh'))
    expect(created.statusCode).toBe(201)
    expect(created.json().outcome).toBe('created')
  })

  it('refuses invalid documents with field paths, and writes nothing', async () => {
    const before = await countAreas()
    const bad = (spec: object, metadata: object = { name: 'broken' }) => ({
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata,
      spec,
    })
    const note = { id: 'note', service: 'test', reaction: 'note', params: { text: 'x' } }
    const cases: [object, string][] = [
      [bad({ action: { service: 'nope', action: 'x' }, reactions: [note] }), '/spec/action/service'],
      [
        bad({
          action: { service: 'test', action: 'hook' },
          reactions: [{ ...note, params: { text: 'x', count: -1 } }],
        }),
        '/spec/reactions/0/params/count',
      ],
      [
        bad({
          action: { service: 'test', action: 'hook' },
          reactions: [{ ...note, params: { text: '{{ reactions.missing.echoed }}' } }],
        }),
        '/spec/reactions/0/params/text',
      ],
      [
        bad({ action: { service: 'test', action: 'hook' }, reactions: [{ ...note, connection: 'ghost' }] }),
        '/spec/reactions/0/connection',
      ],
      [
        bad({ action: { service: 'test', action: 'hook' }, reactions: [note], colour: 'red' }),
        '/spec/colour',
      ],
      [
        bad({ action: { service: 'test', action: 'hook' }, reactions: [note] }, { name: 'Not A Name' }),
        '/metadata/name',
      ],
    ]
    for (const [document, path] of cases) {
      // By name with PUT, and with POST for the name the URL itself would refuse.
      const name = (document as { metadata: { name: string } }).metadata.name
      const response =
        name === 'broken'
          ? await me.call('PUT', '/v1/areas/broken', document)
          : await me.call('POST', '/v1/areas', document)
      const body = expectProblem(response, 400, 'validation_failed')
      expect(body.errors?.map((e) => e.path)).toContain(path)
    }
    expect(await countAreas()).toBe(before)
  })

  it('applies a batch in one transaction: one invalid document and nothing is written', async () => {
    const before = await countAreas()
    const response = await me.call('POST', '/v1/areas/apply', {
      documents: [hookArea('batch-a'), hookArea('batch-b', '{{ reactions.nope.x }}'), hookArea('batch-c')],
    })
    const body = expectProblem(response, 400, 'validation_failed')
    expect(body.errors).toEqual([
      { path: '/documents/1/spec/reactions/0/params/text', message: expect.any(String) },
    ])
    expect(await countAreas()).toBe(before)

    const duplicate = await me.call('POST', '/v1/areas/apply', {
      documents: [hookArea('twin'), hookArea('twin')],
    })
    expect(expectProblem(duplicate, 400, 'validation_failed').errors).toEqual([
      { path: '/documents/1/metadata/name', message: expect.stringContaining('document 0') },
    ])
    // A store check (an unknown connection) in a later document also stops the whole batch.
    const connection = await me.call('POST', '/v1/areas/apply', {
      documents: [
        hookArea('batch-a'),
        {
          ...hookArea('batch-d'),
          spec: {
            ...hookArea('batch-d').spec,
            action: { service: 'test', action: 'hook', connection: 'ghost' },
          },
        },
      ],
    })
    expect(expectProblem(connection, 400, 'validation_failed').errors?.map((e) => e.path)).toEqual([
      '/documents/1/spec/action/connection',
    ])
    expect(await countAreas()).toBe(before)
  })

  it('applies a batch: created, updated and unchanged in one answer', async () => {
    const response = await me.call('POST', '/v1/areas/apply', {
      documents: [
        hookArea('notes', 'other text', { description: 'now described' }),
        hookArea('fresh', 'changed'),
        hookArea('batch-new'),
      ],
    })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      dryRun: false,
      results: [
        { name: 'notes', outcome: 'unchanged', changes: [] },
        // An update carries both documents, for the CLI's plan lines.
        {
          name: 'fresh',
          outcome: 'updated',
          changes: ['reactions'],
          before: expect.objectContaining({ kind: 'Area' }),
          after: expect.objectContaining({ kind: 'Area' }),
        },
        { name: 'batch-new', outcome: 'created', changes: [] },
      ],
      pruned: [],
    })
  })

  it('plans without writing on a dry run, with before and after documents', async () => {
    const snapshot = async () =>
      db()
        .selectFrom('areas')
        .select(['name', 'revision', 'spec_hash'])
        .where('user_id', '=', me.userId)
        .orderBy('name')
        .execute()
    const before = await snapshot()
    const response = await me.call('POST', '/v1/areas/apply', {
      documents: [hookArea('notes', 'dry text'), hookArea('dry-new')],
      prune: true,
      dryRun: true,
    })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.dryRun).toBe(true)
    expect(body.results.map((r: { name: string; outcome: string }) => [r.name, r.outcome])).toEqual([
      ['notes', 'updated'],
      ['dry-new', 'created'],
      ['batch-new', 'deleted'],
      ['fresh', 'deleted'],
      ['ticks', 'deleted'],
    ])
    const notes = body.results[0]
    expect(notes.changes.sort()).toEqual(['description', 'reactions'])
    expect(notes.before.spec.reactions[0].params.text).toBe('other text')
    expect(notes.after.spec.reactions[0].params.text).toBe('dry text')
    expect(body.pruned).toEqual(['batch-new', 'fresh', 'ticks'])
    expect(await snapshot()).toEqual(before)
  })

  it('prunes the AREAs missing from the documents', async () => {
    const response = await me.call('POST', '/v1/areas/apply', {
      documents: [
        hookArea('notes', 'other text', { description: 'now described' }),
        hookArea('fresh', 'changed'),
      ],
      prune: true,
    })
    expect(response.statusCode).toBe(200)
    expect(response.json().pruned).toEqual(['batch-new', 'ticks'])
    const names = await db()
      .selectFrom('areas')
      .select('name')
      .where('user_id', '=', me.userId)
      .orderBy('name')
      .execute()
    expect(names.map((n) => n.name)).toEqual(['fresh', 'notes'])
    expectProblem(
      await me.call('POST', '/v1/areas/apply', { documents: [], prune: true }),
      400,
      'validation_failed',
    )
    expect(await countAreas()).toBe(2)
  })

  it("owners: prune keeps to the apply's owner; another owner's AREA is refused unless taken", async () => {
    const apply = (body: Record<string, unknown>) => me.call('POST', '/v1/areas/apply', body)
    const ownerOf = async (name: string) =>
      (
        await db()
          .selectFrom('areas')
          .select('owner')
          .where('user_id', '=', me.userId)
          .where('name', '=', name)
          .executeTakeFirstOrThrow()
      ).owner
    expect(
      (await apply({ documents: [timerArea('own-a'), timerArea('own-b')], owner: 'team-a' })).statusCode,
    ).toBe(200)
    expect(await ownerOf('own-a')).toBe('team-a')
    // Without an owner, prune never reaches an owned AREA (only the unowned are in its plan).
    const ownerless = await apply({ documents: [hookArea('fresh', 'changed')], prune: true, dryRun: true })
    expect(ownerless.json().pruned).toEqual(['notes'])
    const teamA = await apply({ documents: [timerArea('own-a')], owner: 'team-a', prune: true })
    expect(teamA.json().pruned).toEqual(['own-b'])

    const refused = await apply({ documents: [timerArea('own-a', '2h')], owner: 'team-b' })
    expectProblem(refused, 400, 'validation_failed')
    expect(refused.json().errors).toEqual([
      { path: '/documents/0/metadata/name', message: expect.stringContaining('is owned by "team-a"') },
    ])
    const taken = await apply({ documents: [timerArea('own-a')], owner: 'team-b', takeOwnership: true })
    expect(taken.json().results[0]).toMatchObject({
      outcome: 'updated',
      changes: ['owner'],
      owner: { before: 'team-a', after: 'team-b' },
    })
    expect(await ownerOf('own-a')).toBe('team-b')
    const badName = await apply({ documents: [timerArea('own-c')], owner: 'Team B' })
    expectProblem(badName, 400, 'validation_failed')
    expect(badName.json().errors[0].path).toBe('/owner')
    expect((await me.call('DELETE', '/v1/areas/own-a')).statusCode).toBe(204)
    expect(await countAreas()).toBe(2)
  })

  it('disables and enables: the document, its hash and the hook job follow', async () => {
    const state = () =>
      db()
        .selectFrom('areas as a')
        .innerJoin('area_actions as aa', 'aa.area_id', 'a.id')
        .innerJoin('hook_jobs as h', 'h.area_action_id', 'aa.id')
        .select(['a.enabled', 'a.spec', 'a.spec_hash', 'a.revision', 'h.status'])
        .where('a.user_id', '=', me.userId)
        .where('a.name', '=', 'notes')
        .executeTakeFirstOrThrow()
    const before = await state()
    const disabled = await me.call('POST', '/v1/areas/notes/disable')
    expect(disabled.statusCode).toBe(200)
    expect(disabled.json()).toMatchObject({
      outcome: 'updated',
      area: { enabled: false, spec: { spec: { enabled: false } } },
    })
    const after = await state()
    expect(after).toMatchObject({ enabled: false, status: 'paused', revision: before.revision + 1 })
    expect(after.spec_hash).not.toBe(before.spec_hash)
    expect((await me.call('POST', '/v1/areas/notes/disable')).json().outcome).toBe('unchanged')

    // The file still says enabled: applying it reports the difference, truthfully.
    const plan = await me.call('POST', '/v1/areas/apply', {
      documents: [hookArea('notes', 'other text', { description: 'now described' })],
      dryRun: true,
    })
    expect(plan.json().results[0]).toMatchObject({ outcome: 'updated', changes: ['enabled'] })

    expect((await me.call('POST', '/v1/areas/notes/enable')).json()).toMatchObject({
      outcome: 'updated',
      area: { enabled: true },
    })
    const enabled = await state()
    expect(enabled).toMatchObject({ enabled: true, status: 'active' })
    // Back to the same document, so the same hash: the file applies as unchanged.
    expect(enabled.spec_hash).toBe(before.spec_hash)
    const audit = await db()
      .selectFrom('audit_logs')
      .select('action_type')
      .where('target_resource', '=', 'area/notes')
      .where('action_type', 'in', ['area.enabled', 'area.disabled'])
      .orderBy('created_at')
      .execute()
    expect(audit.map((a) => a.action_type)).toEqual(['area.disabled', 'area.enabled'])
  })

  it('runs an AREA now: an event row with the given or example event, then an execution job', async () => {
    const run = await me.call('POST', '/v1/areas/notes/run', { event: { value: 42 } })
    expect(run.statusCode).toBe(202)
    const { hookLogId, deliveryId } = run.json()
    expect(deliveryId).toMatch(/^manual-[0-9a-f-]{36}$/)
    const row = await db()
      .selectFrom('hook_logs')
      .select(['event_payload', 'user_id', 'delivery_id', 'status', 'processed'])
      .where('id', '=', hookLogId)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({
      event_payload: { value: 42 },
      user_id: me.userId,
      delivery_id: deliveryId,
      status: 'received',
      processed: false,
    })
    expect(t.enqueued.at(-1)).toMatchObject({ hookLogId })
    expect((await t.ctx.queue.jobs.counts()).waiting).toBeGreaterThan(0)

    // Without an event: the action's example event (timer.every has one).
    await me.call('PUT', '/v1/areas/ticks', timerArea('ticks'))
    const example = await me.call('POST', '/v1/areas/ticks/run')
    expect(example.statusCode).toBe(202)
    const payload = await db()
      .selectFrom('hook_logs')
      .select('event_payload')
      .where('id', '=', example.json().hookLogId)
      .executeTakeFirstOrThrow()
    expect(payload.event_payload).toEqual(t.ctx.registry.action('timer', 'every')!.exampleEvent)
  })

  it('keeps a run whose enqueue fails: the row stays for the sweeper, the answer is still 202', async () => {
    const queue = t.ctx.queue.jobs
    const original = queue.enqueueExecutions
    queue.enqueueExecutions = async () => {
      throw new Error('Redis is down')
    }
    try {
      const run = await me.call('POST', '/v1/areas/notes/run', { event: { value: 7 } })
      expect(run.statusCode).toBe(202)
      const row = await db()
        .selectFrom('hook_logs')
        .select(['processed'])
        .where('id', '=', run.json().hookLogId)
        .executeTakeFirst()
      expect(row).toEqual({ processed: false })
    } finally {
      queue.enqueueExecutions = original
    }
  })

  it('lists in name order with cursor pagination and label selectors', async () => {
    await me.call('POST', '/v1/areas/apply', {
      documents: [
        hookArea('alpha', 'a', { labels: { team: 'infra', tier: 'gold' } }),
        hookArea('beta', 'b', { labels: { team: 'web' } }),
        hookArea('gamma', 'c', { labels: { team: 'infra' } }),
      ],
    })
    const names: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const url: string = `/v1/areas?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      const page = (await me.call('GET', url)).json()
      expect(page.items.length).toBeLessThanOrEqual(2)
      names.push(...page.items.map((i: { name: string }) => i.name))
      cursor = page.nextCursor
      pages += 1
    } while (cursor)
    expect(names).toEqual(['alpha', 'beta', 'fresh', 'gamma', 'notes', 'ticks'])
    expect(pages).toBe(3)

    const infra = (await me.call('GET', '/v1/areas?label=team=infra')).json()
    expect(infra.items.map((i: { name: string }) => i.name)).toEqual(['alpha', 'gamma'])
    const both = (await me.call('GET', '/v1/areas?label=team=infra&label=tier')).json()
    expect(both.items.map((i: { name: string }) => i.name)).toEqual(['alpha'])
    expect(both.items[0]).toMatchObject({
      labels: { team: 'infra', tier: 'gold' },
      trigger: { type: 'webhook' },
    })
    expect(both.items[0].trigger.secret).toBeUndefined()
    const selector = (text: string) => `/v1/areas?labelSelector=${encodeURIComponent(text)}`
    const selected = (await me.call('GET', selector('team in (infra,web),!tier'))).json()
    expect(selected.items.map((i: { name: string }) => i.name)).toEqual(['beta', 'gamma'])
    const badSelector = await me.call('GET', selector('team in (infra'))
    expectProblem(badSelector, 400, 'validation_failed')
    expect(badSelector.body).toContain('invalid label selector')

    expectProblem(await me.call('GET', '/v1/areas?cursor=%%%'), 400, 'validation_failed')
    expectProblem(await me.call('GET', '/v1/areas?limit=0'), 400, 'validation_failed')
  })

  it('GET /v1/status counts the AREAs, the failing ones, the events of 24 h and the queue', async () => {
    const listed = (await me.call('GET', '/v1/areas?limit=200')).json().items as { enabled: boolean }[]
    // Every event failed: each AREA with events is failing, the others are not.
    const withEvents = (
      await db()
        .selectFrom('hook_logs')
        .select('area_id')
        .distinct()
        .where('user_id', '=', me.userId)
        .execute()
    ).length
    expect(withEvents).toBeGreaterThan(0)
    expect(withEvents).toBeLessThan(listed.length)
    await db().updateTable('hook_logs').set({ status: 'failed' }).where('user_id', '=', me.userId).execute()
    const response = await me.call('GET', '/v1/status')
    expect(response.statusCode, response.body).toBe(200)
    const status = response.json()
    expect(status.areas).toEqual({
      total: listed.length,
      enabled: listed.filter((a) => a.enabled).length,
      disabled: listed.filter((a) => !a.enabled).length,
      failing: withEvents,
    })
    expect(status.events24h).toMatchObject({ failed: expect.any(Number), done: 0 })
    expect(status.events24h.failed).toBeGreaterThanOrEqual(1)
    expect(status.connections).toBe(0)
    expect(status.queue.kind).toBe('memory')
    const other = await signUp(app)
    const empty = (await other.call('GET', '/v1/status')).json()
    expect(empty.areas).toEqual({ total: 0, enabled: 0, disabled: 0, failing: 0 })
  })

  it('GET /v1/status counts an AREA whose trigger fails to poll as failing, until a poll succeeds', async () => {
    expect((await me.call('PUT', '/v1/areas/ticking', timerArea('ticking'))).statusCode).toBe(201)
    const failing = async () => (await me.call('GET', '/v1/status')).json().areas.failing as number
    const before = await failing()
    const job = await db()
      .selectFrom('hook_jobs as h')
      .innerJoin('area_actions as aa', 'aa.id', 'h.area_action_id')
      .innerJoin('areas as a', 'a.id', 'aa.area_id')
      .select('h.id')
      .where('a.user_id', '=', me.userId)
      .where('a.name', '=', 'ticking')
      .executeTakeFirstOrThrow()
    await recordPollFailure(db(), {
      hookJobId: job.id,
      slotMs: Date.now(),
      attempt: 1,
      maxAttempts: 3,
      error: 'the feed answered 503',
    })
    expect(await failing()).toBe(before + 1)
    // A successful poll clears the hook job; its failed poll stays in the logs, not as failing.
    await db().updateTable('hook_jobs').set(clearedPollFailure).where('id', '=', job.id).execute()
    expect(await failing()).toBe(before)
    expect((await me.call('DELETE', '/v1/areas/ticking')).statusCode).toBe(204)
  })

  it('deletes (204), then the AREA is gone (404) with its hook job and events', async () => {
    const deleted = await me.call('DELETE', '/v1/areas/notes')
    expect(deleted.statusCode).toBe(204)
    expectProblem(await me.call('GET', '/v1/areas/notes'), 404, 'area_not_found')
    expectProblem(await me.call('DELETE', '/v1/areas/notes'), 404, 'area_not_found')
    const events = await db()
      .selectFrom('hook_logs as h')
      .innerJoin('areas as a', 'a.id', 'h.area_id')
      .select('h.id')
      .where('a.name', '=', 'notes')
      .execute()
    expect(events).toEqual([])
  })
})
