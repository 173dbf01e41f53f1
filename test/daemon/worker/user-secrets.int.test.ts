/**
 * `{{ secrets.NAME }}` through the worker on both drivers (docs/architecture.md, "Secret params"):
 * the value reaches the target in a header, the URL and the body, while the execution log, the
 * event's error, the stored AREA and the secrets table hold only `<secret:FINGERPRINT>` or
 * ciphertext; a new value applies to the next event; a missing secret fails the reaction for good,
 * naming the command that sets it; a Discord webhook URL given as a secret posts, and is shown as
 * the reference where the AREA is shown and as a fingerprint where the run is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executeEvent } from '../../../src/daemon/worker/execute-event.js'
import { setSecret } from '../../../src/features/secrets/secrets.js'
import { attempt, openWorkerHarness, type WorkerHarness } from '../../support/daemon/worker-deps.js'
import { drivers } from '../../support/db/stores.js'
import { type FakeDiscord, startFakeDiscord } from '../../support/fakes/discord.js'
import { type HttpSink, startHttpSink } from '../../support/sink/http-sink.js'

const API_KEY = 'sk_live_user-secret-0123456789'
const ROTATED = 'sk_live_rotated-secret-9876543210'

describe.each(drivers)('user secrets in the worker (%s)', (driver) => {
  let worker: WorkerHarness
  let sink: HttpSink
  let discord: FakeDiscord
  let deliveries = 0

  beforeAll(async () => {
    discord = await startFakeDiscord()
    ;[worker, sink] = await Promise.all([openWorkerHarness(driver), startHttpSink()])
  })
  afterAll(async () => {
    await Promise.all([worker?.dispose(), sink?.close(), discord?.close()])
  })

  const db = () => worker.testStore.store.db
  const set = (name: string, value: string) =>
    setSecret(
      {
        store: worker.testStore.store,
        secrets: worker.secrets,
        config: { limits: { maxSecretsPerUser: 10 } },
      },
      worker.userId,
      name,
      value,
    )
  const placeholder = (value: string) => `<secret:${worker.secrets.fingerprint(worker.userId, value)}>`

  const apply = async (name: string, params: Record<string, unknown>, reaction = 'http.request') => {
    const [service, id] = reaction.split('.')
    const applied = await worker.apply({
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name },
      spec: {
        action: { service: 'webhook', action: 'received' },
        reactions: [{ id: 'call', service, reaction: id, params }],
      },
    })
    const hookJob = await worker.hookJobOf(applied.id)
    return { hookJob, areaId: applied.id }
  }
  /** Every line the run logged, as JSON. */
  const logged: string[] = []
  const logger = {
    debug: (obj: object | string, msg?: string) => logged.push(JSON.stringify([obj, msg])),
    info: (obj: object | string, msg?: string) => logged.push(JSON.stringify([obj, msg])),
    warn: (obj: object | string, msg?: string) => logged.push(JSON.stringify([obj, msg])),
    error: (obj: object | string, msg?: string) => logged.push(JSON.stringify([obj, msg])),
  }
  const fire = async (hook: Awaited<ReturnType<typeof apply>>) => {
    const row = await db()
      .insertInto('hook_logs')
      .values({
        hook_job_id: hook.hookJob.id,
        area_id: hook.areaId,
        user_id: worker.userId,
        delivery_id: `d${++deliveries}`,
        event_payload: JSON.stringify({ n: deliveries }),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const job = { hookLogId: row.id, areaActionId: hook.hookJob.area_action_id }
    const result = await executeEvent({ ...worker.deps(), logger }, job, attempt()).catch(
      (error: Error) => error,
    )
    const event = await db()
      .selectFrom('hook_logs')
      .select(['status', 'error'])
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow()
    const executions = await db()
      .selectFrom('execution_logs')
      .select(['status', 'request_payload', 'response_payload', 'error_text', 'error_class'])
      .where('hook_log_id', '=', row.id)
      .execute()
    return { result, event, executions }
  }

  it('sends the value to the target and records only its fingerprint', async () => {
    await set('API_KEY', API_KEY)
    // The sink echoes the key back: the recorded output must not carry it either.
    sink.respond = (request) =>
      request.path.startsWith('/echo')
        ? { status: 200, body: { got: request.headers['x-api-key'] } }
        : undefined
    const hook = await apply('secret-call', {
      method: 'POST',
      url: `${sink.url}/echo/{{ secrets.API_KEY }}?key={{ secrets.API_KEY }}`,
      headers: { 'x-api-key': '{{ secrets.API_KEY }}' },
      body: { note: 'key={{ secrets.API_KEY }}', n: '{{ trigger.n }}' },
    })
    const { result, event, executions } = await fire(hook)
    expect(result).toBe('done')
    expect(event.status).toBe('done')
    const received = sink.requests.at(-1)
    expect(received?.headers['x-api-key']).toBe(API_KEY)
    expect(received?.path).toBe(`/echo/${API_KEY}?key=${API_KEY}`)
    expect(received?.json).toMatchObject({ note: `key=${API_KEY}` })

    expect(executions).toHaveLength(1)
    const recorded = JSON.stringify(executions)
    expect(recorded).not.toContain(API_KEY)
    expect(executions[0]?.request_payload).toMatchObject({
      url: `${sink.url}/echo/${placeholder(API_KEY)}?key=${placeholder(API_KEY)}`,
      // A header is a secret param already: its whole rendered value is fingerprinted.
      headers: { 'x-api-key': placeholder(API_KEY) },
      body: { note: `key=${placeholder(API_KEY)}` },
    })
    expect(executions[0]?.response_payload).toMatchObject({ body: { got: placeholder(API_KEY) } })
    // The http reaction logs the URL it called (at debug, query values hidden): masked too.
    expect(logged.join('\n')).toContain(`/echo/${placeholder(API_KEY)}?key=***`)
    expect(logged.join('\n')).not.toContain(API_KEY)

    // At rest: the template in the AREA, ciphertext in the secrets table.
    const stored = await db()
      .selectFrom('user_secrets')
      .select(['name', 'value_encrypted'])
      .where('user_id', '=', worker.userId)
      .execute()
    expect(stored.map((s) => s.name)).toEqual(['API_KEY'])
    expect(stored[0]?.value_encrypted).not.toContain(API_KEY)
    expect(worker.secrets.open(stored[0]?.value_encrypted ?? '')).toBe(API_KEY)
    const areas = await db().selectFrom('areas').select('spec').where('id', '=', hook.areaId).execute()
    expect(JSON.stringify(areas)).not.toContain(API_KEY)
    expect(JSON.stringify(areas)).toContain('{{ secrets.API_KEY }}')
  })

  it('reads a new value on the next event, and masks a secret an error quotes', async () => {
    await set('API_KEY', ROTATED)
    const hook = await apply('rotated', {
      url: `${sink.url}/rotated`,
      headers: { authorization: 'Bearer {{ secrets.API_KEY }}' },
    })
    expect((await fire(hook)).result).toBe('done')
    expect(sink.requests.at(-1)?.headers.authorization).toBe(`Bearer ${ROTATED}`)

    // A permanent refusal whose body quotes the key (a 400 is not retried).
    sink.respond = (request) =>
      request.path === '/refuse'
        ? { status: 400, body: { error: `key ${String(request.headers['x-api-key'])} is revoked` } }
        : undefined
    const refused = await fire(
      await apply('refused', {
        url: `${sink.url}/refuse`,
        headers: { 'x-api-key': '{{ secrets.API_KEY }}' },
      }),
    )
    expect(refused.event.status).toBe('failed')
    expect(JSON.stringify(refused)).not.toContain(ROTATED)
    expect(logged.join('\n')).not.toContain(ROTATED)
  })

  it('fails the reaction for good when the secret does not exist, naming the command that sets it', async () => {
    const before = sink.requests.length
    const hook = await apply('missing', {
      url: `${sink.url}/missing`,
      headers: { 'x-token': '{{ secrets.NOPE }}' },
    })
    const { result, event, executions } = await fire(hook)
    expect(result).toBeInstanceOf(Error)
    expect(event.status).toBe('failed')
    expect(event.error).toContain('you have no secret named NOPE: set it with `area secrets set NOPE`')
    expect(executions).toMatchObject([{ status: 'failed', error_class: 'permanent' }])
    expect(sink.requests.length).toBe(before)
  })

  it('posts to a Discord webhook URL read from a secret, shown as the reference or a fingerprint', async () => {
    await set('DISCORD_URL', discord.webhookUrl)
    const hook = await apply(
      'discord-secret',
      { webhook_url: '{{ secrets.DISCORD_URL }}', content: 'hello {{ trigger.n }}' },
      'discord.send_message',
    )
    const { result, executions } = await fire(hook)
    expect(result).toBe('done')
    expect(discord.messages.at(-1)).toMatchObject({ content: expect.stringMatching(/^hello \d+$/) })
    expect(executions[0]?.request_payload).toMatchObject({ webhook_url: placeholder(discord.webhookUrl) })
    expect(JSON.stringify(executions)).not.toContain(discord.webhookUrl)
    // The reference holds no secret: the AREA shows it as written, and keeps nothing sealed.
    const area = await db()
      .selectFrom('areas')
      .select('spec')
      .where('id', '=', hook.areaId)
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(area.spec)).toContain('"webhook_url":"{{ secrets.DISCORD_URL }}"')
  })
})
