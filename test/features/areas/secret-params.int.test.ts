/**
 * Secret params (docs/architecture.md, "Secret params") on the real Postgres and the real worker
 * path: Discord and Slack webhook URLs and HTTP header values are stored sealed, shown as
 * `<secret:…>` by every read, kept across an export → apply round trip (and still used by the
 * reactions against local fakes), replaced by a new value, and kept out of execution logs and errors.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readLimitsSettings } from '../../../src/daemon/config-limits.js'
import { executeEvent } from '../../../src/daemon/worker/execute-event.js'
import { pollHookJob } from '../../../src/daemon/worker/poll-hook-job.js'
import { ValidationError } from '../../../src/engine/errors.js'
import type { JsonObject } from '../../../src/engine/types.js'
import { applyDocuments } from '../../../src/features/areas/apply.js'
import { areaDetails } from '../../../src/features/areas/read.js'
import { normalizeArea } from '../../../src/spec/normalize.js'
import { attempt, openWorkerHarness, type WorkerHarness } from '../../support/daemon/worker-deps.js'
import { type FakeDiscord, startFakeDiscord } from '../../support/fakes/discord.js'
import { type FakeSlack, startFakeSlack } from '../../support/fakes/slack.js'
import { type HttpSink, startHttpSink } from '../../support/sink/http-sink.js'

const PLACEHOLDER = /^<secret:[0-9a-f]{12}>$/
const TOKEN = 'Bearer s3cr3t-t0ken-value'

let worker: WorkerHarness
let discord: FakeDiscord
let slack: FakeSlack
let sink: HttpSink

beforeAll(async () => {
  ;[worker, discord, slack, sink] = await Promise.all([
    openWorkerHarness('postgres', { env: { AREA_HTTP_ALLOW_PRIVATE: 'all' } }),
    startFakeDiscord(),
    startFakeSlack(),
    startHttpSink(),
  ])
})
afterAll(async () => {
  await Promise.all([worker?.dispose(), discord?.close(), slack?.close(), sink?.close()])
})

const ctx = () => ({
  store: worker.testStore.store,
  registry: worker.registry,
  secrets: worker.secrets,
  config: { limits: readLimitsSettings({}, []) },
})
const db = () => worker.testStore.store.db

function document(name: string, urls: { discord: string; slack: string }): JsonObject {
  return {
    apiVersion: 'area/v1',
    kind: 'Area',
    metadata: { name },
    spec: {
      action: { service: 'timer', action: 'every', params: { interval: '1m' } },
      reactions: [
        {
          id: 'post',
          service: 'discord',
          reaction: 'send_message',
          params: { webhook_url: urls.discord, content: 'tick' },
        },
        {
          id: 'echo',
          service: 'slack',
          reaction: 'post_message',
          params: { webhook_url: urls.slack, text: 'tock' },
        },
        {
          id: 'call',
          service: 'http',
          reaction: 'request',
          params: { url: `${sink.url}/hook`, headers: { Authorization: TOKEN, 'X-Trace': 'area' } },
        },
      ],
    },
  }
}

const apply = (documents: unknown[], dryRun = false) =>
  applyDocuments(ctx(), { userId: worker.userId, documents, mode: 'apply', prune: false, dryRun })

/** Every stored row that could hold a param, as text. */
async function storedText(): Promise<string> {
  const tables = [
    'areas',
    'area_action_param_values',
    'area_reaction_param_values',
    'hook_jobs',
    'hook_logs',
    'execution_logs',
    'audit_logs',
    'area_revisions',
  ]
  const parts = await Promise.all(
    tables.map(async (table) => {
      const { rows } = await sql<{
        row: string
      }>`select t::text as row from ${sql.table(`area.${table}`)} t`.execute(db())
      return rows.map((r) => r.row).join('\n')
    }),
  )
  return parts.join('\n')
}

let fired = 0

/** Fires the AREA's timer once (a slot of its own) and runs the event through the worker. */
async function fire(name: string): Promise<{ hookLogId: string; outcome: unknown }> {
  const details = await areaDetails(ctx(), worker.userId, name)
  const hookJob = details.hookJob!
  const before = worker.enqueued.length
  await pollHookJob(
    worker.deps(),
    { hookJobId: hookJob.id, slotMs: hookJob.nextRunAt!.getTime() + fired++ * 60_000 },
    attempt(),
  )
  const job = worker.enqueued[before]!
  expect(worker.enqueued).toHaveLength(before + 1)
  const outcome = await executeEvent(worker.deps(), job, attempt(1, 1)).catch((e: unknown) => e)
  return { hookLogId: job.hookLogId, outcome }
}

describe('secret params', { timeout: 120_000 }, () => {
  it('are stored sealed: no row holds the plain webhook URLs or header value', async () => {
    await apply([document('alerts', { discord: discord.webhookUrl, slack: slack.webhookUrl })])
    const text = await storedText()
    for (const secret of [discord.webhookUrl, slack.webhookUrl, TOKEN, 's3cr3t'])
      expect(text).not.toContain(secret)
    const rows = await db()
      .selectFrom('area_reaction_param_values')
      .select(['name', 'value', 'sealed'])
      .orderBy('name')
      .execute()
    const sealed = rows.filter((r) => r.sealed !== null).map((r) => r.name)
    expect(sealed.sort()).toEqual(['headers', 'webhook_url', 'webhook_url'])
    expect(rows.find((r) => r.name === 'content')).toMatchObject({ value: 'tick', sealed: null })
    expect(rows.find((r) => r.name === 'url')?.sealed).toBeNull()
  })

  it('read back as <secret:FINGERPRINT>, header names visible', async () => {
    const { spec } = await areaDetails(ctx(), worker.userId, 'alerts')
    const reactions = (spec.spec as { reactions: { params: JsonObject }[] }).reactions
    expect(reactions[0]?.params.webhook_url).toMatch(PLACEHOLDER)
    expect(reactions[1]?.params.webhook_url).toMatch(PLACEHOLDER)
    expect(reactions[0]?.params.webhook_url).not.toBe(reactions[1]?.params.webhook_url)
    const headers = reactions[2]?.params.headers as JsonObject
    expect(Object.keys(headers).sort()).toEqual(['Authorization', 'X-Trace'])
    expect(headers.Authorization).toMatch(PLACEHOLDER)
    expect(reactions[2]?.params.url).toBe(`${sink.url}/hook`)
    expect(JSON.stringify(spec)).not.toContain('s3cr3t')
  })

  it('survive an export → apply round trip unchanged, and the reactions still reach the real URLs', async () => {
    const { spec: exported } = await areaDetails(ctx(), worker.userId, 'alerts')
    const plan = await apply([exported], true)
    expect(plan.results).toEqual([
      expect.objectContaining({ name: 'alerts', outcome: 'unchanged', changes: [] }),
    ])
    expect((await apply([exported])).results[0]?.outcome).toBe('unchanged')
    // Applying the plain values again is no change either: equal secrets, equal fingerprints.
    expect(
      (await apply([document('alerts', { discord: discord.webhookUrl, slack: slack.webhookUrl })], true))
        .results[0]?.outcome,
    ).toBe('unchanged')

    const [discordBefore, slackBefore] = [discord.messages.length, slack.messages.length]
    const { hookLogId, outcome } = await fire('alerts')
    expect(outcome).toBe('done')
    expect(discord.messages.slice(discordBefore)).toEqual([expect.objectContaining({ content: 'tick' })])
    expect(slack.messages.slice(slackBefore)).toEqual([{ text: 'tock' }])
    expect(sink.requests.at(-1)?.headers.authorization).toBe(TOKEN)
    // The execution logs record the rendered request with its secrets as fingerprints.
    const logged = await db()
      .selectFrom('execution_logs')
      .select(['reaction_ref', sql<string>`request_payload::text`.as('request')])
      .where('hook_log_id', '=', hookLogId)
      .orderBy('reaction_ref')
      .execute()
    expect(logged.map((l) => l.reaction_ref)).toEqual(['call', 'echo', 'post'])
    for (const l of logged) expect(l.request).toMatch(/<secret:[0-9a-f]{12}>/)
    expect(await storedText()).not.toContain('s3cr3t')
    expect(await storedText()).not.toContain(discord.webhookUrl)
  })

  it('change when a new value is applied: diff shows another fingerprint, the worker uses the new URL', async () => {
    const { spec: before } = await areaDetails(ctx(), worker.userId, 'alerts')
    const changed = document('alerts', { discord: discord.webhookUrl, slack: slack.deletedChannelUrl })
    const plan = await apply([changed], true)
    expect(plan.results[0]).toMatchObject({ outcome: 'updated', changes: ['reactions'] })
    const slackUrl = (doc: unknown) =>
      (doc as { spec: { reactions: { params: JsonObject }[] } }).spec.reactions[1]?.params.webhook_url
    const discordUrl = (doc: unknown) =>
      (doc as { spec: { reactions: { params: JsonObject }[] } }).spec.reactions[0]?.params.webhook_url
    expect(slackUrl(plan.results[0]?.after)).toMatch(PLACEHOLDER)
    expect(slackUrl(plan.results[0]?.after)).not.toBe(slackUrl(before))
    expect(discordUrl(plan.results[0]?.after)).toBe(discordUrl(before))
    expect(JSON.stringify(plan)).not.toContain(slack.deletedChannelUrl)

    expect((await apply([changed])).results[0]?.outcome).toBe('updated')
    const { hookLogId, outcome } = await fire('alerts')
    // The deleted channel's URL was used (Slack answers 404 channel_not_found), and neither the
    // error nor anything stored shows its secret path.
    expect(String(outcome)).toContain('channel_not_found')
    expect(String(outcome)).not.toContain('B11111111')
    const event = await db()
      .selectFrom('hook_logs')
      .select('error')
      .where('id', '=', hookLogId)
      .executeTakeFirstOrThrow()
    expect(event.error).toContain('channel_not_found')
    expect(await storedText()).not.toContain('B11111111')
  })

  it('refuses a placeholder the AREA does not hold, changing nothing', async () => {
    const { spec } = await areaDetails(ctx(), worker.userId, 'alerts')
    // Another AREA cannot borrow this one's secret by its fingerprint.
    const copy = { ...spec, metadata: { name: 'copy' } }
    const error = await apply([copy]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).issues).toContainEqual({
      path: '/documents/0/spec/reactions/0/params/webhook_url',
      message: expect.stringContaining('stands for a secret this AREA does not hold'),
    })
    // A made-up fingerprint on the AREA itself.
    const forged = structuredClone(spec) as { spec: { reactions: { params: JsonObject }[] } }
    forged.spec.reactions[0]!.params.webhook_url = '<secret:0123456789ab>'
    await expect(apply([forged])).rejects.toBeInstanceOf(ValidationError)
    expect((await areaDetails(ctx(), worker.userId, 'alerts')).spec).toEqual(spec)
    expect(
      await db().selectFrom('areas').select('name').where('name', '=', 'copy').executeTakeFirst(),
    ).toBeUndefined()
  })

  it('stored in clear before this version: shown redacted, still run, sealed by the next apply', async () => {
    const plain = document('legacy', { discord: discord.webhookUrl, slack: slack.webhookUrl })
    await apply([plain])
    const { id } = await db()
      .selectFrom('areas')
      .select('id')
      .where('name', '=', 'legacy')
      .executeTakeFirstOrThrow()
    // The rows as an earlier version wrote them: the document and the params in clear.
    const normalized = normalizeArea(plain, worker.registry)
    await db()
      .updateTable('areas')
      .set({ spec: JSON.stringify(normalized.document), spec_hash: normalized.specHash })
      .where('id', '=', id)
      .execute()
    for (const [ref, name, value] of [
      ['post', 'webhook_url', JSON.stringify(discord.webhookUrl)],
      ['call', 'headers', JSON.stringify({ Authorization: TOKEN, 'X-Trace': 'area' })],
    ] as const) {
      const reaction = db()
        .selectFrom('area_reactions')
        .select('id')
        .where('area_id', '=', id)
        .where('ref', '=', ref)
      await db()
        .updateTable('area_reaction_param_values')
        .set({ value, sealed: null })
        .where('area_reaction_id', 'in', reaction)
        .where('name', '=', name)
        .execute()
    }
    expect(await storedText()).toContain('s3cr3t')

    const { spec } = await areaDetails(ctx(), worker.userId, 'legacy')
    expect(JSON.stringify(spec)).not.toContain('s3cr3t')
    expect(JSON.stringify(spec)).not.toContain(discord.webhookUrl)
    const plan = await apply([plain], true)
    expect(JSON.stringify(plan)).not.toContain('s3cr3t')
    expect(plan.results[0]?.outcome).toBe('updated')

    const before = discord.messages.length
    expect((await fire('legacy')).outcome).toBe('done')
    expect(discord.messages.length).toBe(before + 1)

    await apply([plain])
    expect(await storedText()).not.toContain('s3cr3t')
    expect(await storedText()).not.toContain(discord.webhookUrl)
  })

  it('fingerprints belong to their user: the same URL shows another fingerprint for another account', () => {
    const a = worker.secrets.fingerprint('user-a', discord.webhookUrl)
    expect(a).toMatch(/^[0-9a-f]{12}$/)
    expect(worker.secrets.fingerprint('user-a', discord.webhookUrl)).toBe(a)
    expect(worker.secrets.fingerprint('user-b', discord.webhookUrl)).not.toBe(a)
  })
})
