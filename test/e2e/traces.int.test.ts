/**
 * Issue 16's traces: an API, a worker and a scheduler as processes exporting to a local OTLP/HTTP
 * receiver. One webhook, sent with the caller's traceparent, makes one trace: the request, the
 * enqueue, each attempt of the worker's execution (the first fails, the retry succeeds) and each
 * reaction and for_each item, whose requests carry a traceparent of that trace, while the worker's
 * log lines name it. A timer's slot makes one trace from the scheduler through the poll to its
 * reaction. A daemon without an endpoint loads no OpenTelemetry module and sends no traceparent.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiUser, applyArea, sendWebhook, signup, waitFor, webhookOf } from '../support/api/client.js'
import type { DaemonProcess } from '../support/daemon/process.js'
import { openTopology, printLogsOnFailure, type Topology } from '../support/daemon/topology.js'
import { type OtlpReceiver, startOtlpReceiver } from '../support/fakes/otlp-receiver.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'
import { everyAction, sinkArea, webhookAction } from '../support/sink/sink-areas.js'

const moduleTrace = fileURLToPath(new URL('../package/module-trace.mjs', import.meta.url))
/** In the webhook's payload: never in a span. */
const payloadMarker = `payload-${randomBytes(6).toString('hex')}`

/** The trace id and parent span id a W3C traceparent names. */
function traceparentParts(value: unknown): { traceId: string; parentId: string } | undefined {
  const match = typeof value === 'string' ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(value) : null
  return match ? { traceId: match[1]!, parentId: match[2]! } : undefined
}

function tracedArea(sinkUrl: string) {
  return {
    apiVersion: 'area/v1',
    kind: 'Area',
    metadata: { name: 'traced' },
    spec: {
      action: webhookAction,
      reactions: [
        {
          id: 'first',
          service: 'http',
          reaction: 'request',
          params: { url: `${sinkUrl}/first`, body: { note: '{{ trigger.note }}' } },
        },
        {
          id: 'each',
          service: 'http',
          reaction: 'request',
          for_each: 'trigger.items',
          params: { url: `${sinkUrl}/item/{{ index }}` },
        },
      ],
    },
  }
}

describe('traces across the API, the queue, the worker and the reactions', () => {
  let topology: Topology
  let receiver: OtlpReceiver
  let sink: HttpSink
  let api: DaemonProcess
  let worker: DaemonProcess
  let user: ApiUser
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    receiver = await startOtlpReceiver()
    sink = await startHttpSink()
    // The first call of /first fails with a 503: the event's second attempt must stay in its trace.
    let firstCalls = 0
    sink.respond = (request) =>
      request.path === '/first' && ++firstCalls === 1 ? { status: 503, body: { busy: true } } : undefined
    topology = await openTopology({
      name: 'traces',
      startTimeoutMs: 120_000,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_SERVICE_NAME: 'area-traces-test',
        // Export at once rather than every 5 s.
        OTEL_BSP_SCHEDULE_DELAY: '100',
        // The reactions' lines (`http request answered`) are debug lines.
        LOG_LEVEL: 'debug',
      },
    })
    ;[api] = await topology.start('api')
    ;[worker] = await topology.start('worker', 'scheduler')
    user = await signup(api.url, 'traces@example.test')
  }, 300_000)

  afterAll(async () => {
    await topology?.close()
    await sink?.close()
    await receiver?.close()
  }, 120_000)

  it('makes one trace of a webhook, its enqueue, both attempts and each reaction and item', async () => {
    await applyArea(user, tracedArea(sink.url) as never)
    const target = await webhookOf(user, 'traced')
    // The caller's own trace, continued (AREA_TRACE_WEBHOOK_PARENT defaults to continue).
    const callerTrace = randomBytes(16).toString('hex')
    const callerSpan = randomBytes(8).toString('hex')
    const sent = await sendWebhook(
      target,
      { note: payloadMarker, items: ['a', 'b'] },
      { baseUrl: api.url, headers: { traceparent: `00-${callerTrace}-${callerSpan}-01` } },
    )
    expect(sent.status).toBe(202)
    const eventId = (sent.body as { hookLogId: string }).hookLogId

    const inTrace = () => receiver.spans.filter((s) => s.traceId === callerTrace)
    const named = (name: string) => inTrace().filter((s) => s.name === name)
    await waitFor('every span of the trace exported', async () =>
      named('area.reaction each').length === 2 && named('area.execute').length === 2 ? true : undefined,
    )

    // The request: a child of the caller's span, served by the API.
    const [request] = named('POST /webhooks/:service/:hookJobId')
    expect(request).toMatchObject({
      parentSpanId: callerSpan,
      attributes: {
        'area.service': 'webhook',
        'area.outcome': 'accepted',
        'area.event_id': eventId,
        'http.response.status_code': 202,
      },
      resource: { 'service.name': 'area-traces-test', 'area.roles': 'api' },
    })
    // The enqueue: the request's child, the parent of both attempts.
    const [enqueue] = named('area.enqueue')
    expect(enqueue).toMatchObject({
      parentSpanId: request!.spanId,
      attributes: { 'area.event_id': eventId, 'area.outcome': 'enqueued' },
    })
    const attempts = named('area.execute').sort(
      (a, b) => Number(a.attributes['area.attempt']) - Number(b.attributes['area.attempt']),
    )
    expect(
      attempts.map((s) => [s.parentSpanId, s.attributes['area.attempt'], s.attributes['area.outcome']]),
    ).toEqual([
      [enqueue!.spanId, 1, 'retry'],
      [enqueue!.spanId, 2, 'done'],
    ])
    for (const attempt of attempts) {
      expect(attempt.attributes).toMatchObject({ 'area.event_id': eventId, 'area.name': 'traced' })
      expect(attempt.resource['area.roles']).toBe('worker')
    }
    // One span per reaction run and per item, each the child of its attempt.
    const reactions = inTrace()
      .filter((s) => s.name.startsWith('area.reaction '))
      .map((s) => ({
        name: s.name,
        attempt: s.attributes['area.attempt'],
        index: s.attributes['area.for_each.index'],
        outcome: s.attributes['area.outcome'],
        parent: s.parentSpanId,
        status: s.statusCode,
      }))
      .sort((a, b) => `${a.attempt}${a.name}${a.index}`.localeCompare(`${b.attempt}${b.name}${b.index}`))
    expect(reactions).toEqual([
      {
        name: 'area.reaction first',
        attempt: 1,
        index: undefined,
        outcome: 'failed',
        parent: attempts[0]!.spanId,
        status: 2,
      },
      {
        name: 'area.reaction each',
        attempt: 2,
        index: 0,
        outcome: 'success',
        parent: attempts[1]!.spanId,
        status: 0,
      },
      {
        name: 'area.reaction each',
        attempt: 2,
        index: 1,
        outcome: 'success',
        parent: attempts[1]!.spanId,
        status: 0,
      },
      {
        name: 'area.reaction first',
        attempt: 2,
        index: undefined,
        outcome: 'success',
        parent: attempts[1]!.spanId,
        status: 0,
      },
    ])

    // Each request the reactions sent names the span of its reaction (or item) run.
    const reactionSpans = new Set(
      inTrace()
        .filter((s) => s.name.startsWith('area.reaction '))
        .map((s) => s.spanId),
    )
    const sentToSink = sink.requests.filter((r) => r.path === '/first' || r.path.startsWith('/item/'))
    expect(sentToSink.map((r) => r.path).sort()).toEqual(['/first', '/first', '/item/0', '/item/1'])
    for (const r of sentToSink) {
      const parts = traceparentParts(r.headers.traceparent)
      expect(parts?.traceId).toBe(callerTrace)
      expect(reactionSpans.has(parts?.parentId ?? '')).toBe(true)
    }

    // The worker's lines of this event name the trace, and the reaction's its span.
    // (Read from its stdout, which may trail the spans' export a little.)
    const eventLines = await waitFor('the reactions logged', async () => {
      const found = worker.logs.filter((l) => l.hookLogId === eventId)
      return found.filter((l) => l.msg === 'http request answered').length >= 3 ? found : undefined
    })
    for (const line of eventLines) expect(line.trace_id).toBe(callerTrace)
    const answered = eventLines.filter((l) => l.msg === 'http request answered')
    // The failed first call throws before its line: three answered.
    expect(answered.length).toBe(3)
    for (const line of answered) expect(reactionSpans.has(line.span_id as string)).toBe(true)

    // No payload content in any span; and the exports were OTLP/HTTP JSON.
    expect(JSON.stringify(receiver.spans)).not.toContain(payloadMarker)
    expect(new Set(receiver.contentTypes)).toEqual(new Set(['application/json']))
  }, 120_000)

  it('makes one trace of a timer slot, from the scheduler through the poll to its reaction', async () => {
    await applyArea(
      user,
      sinkArea('tick', everyAction('1s'), sink.url, [{ id: 'tock', path: '/tick' }]) as never,
    )
    const byId = (id: string) => receiver.spans.find((s) => s.spanId === id)
    const chain = await waitFor('a timer execution exported', async () => {
      for (const reaction of receiver.spans.filter((s) => s.name === 'area.reaction tock')) {
        const execute = byId(reaction.parentSpanId)
        const poll = execute && byId(execute.parentSpanId)
        const schedule = poll && byId(poll.parentSpanId)
        if (schedule) return { reaction, execute, poll, schedule }
      }
      return undefined
    })
    expect(chain.execute).toMatchObject({ name: 'area.execute', attributes: { 'area.name': 'tick' } })
    expect(chain.poll).toMatchObject({ name: 'area.poll', resource: { 'area.roles': 'worker' } })
    expect(chain.schedule).toMatchObject({
      name: 'area.schedule_polls',
      resource: { 'area.roles': 'scheduler' },
    })
    for (const span of [chain.reaction, chain.execute, chain.poll])
      expect(span.traceId).toBe(chain.schedule.traceId)
    const ticked = sink.requests
      .filter((r) => r.path === '/tick')
      .map((r) => traceparentParts(r.headers.traceparent))
    expect(ticked).toContainEqual({ traceId: chain.schedule.traceId, parentId: chain.reaction.spanId })
  }, 120_000)
})

describe('without an OTLP endpoint', () => {
  let topology: Topology
  let sink: HttpSink
  let dir: string
  printLogsOnFailure(() => [topology])

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'area-traces-off-'))
    sink = await startHttpSink()
  })

  afterAll(async () => {
    await topology?.close()
    await sink?.close()
    await rm(dir, { recursive: true, force: true })
  }, 120_000)

  it('loads no OpenTelemetry module, sends no traceparent and logs no trace id', async () => {
    const modules = join(dir, 'modules.txt')
    topology = await openTopology({
      name: 'traces-off',
      embedded: true,
      startTimeoutMs: 120_000,
      env: { NODE_OPTIONS: `--import ${moduleTrace}`, AREA_MODULE_TRACE: modules, LOG_LEVEL: 'debug' },
    })
    const [daemon] = await topology.start('all')
    const user = await signup(daemon.url, 'traces-off@example.test')
    await applyArea(user, sinkArea('untraced', webhookAction, sink.url, [{ path: '/off' }]) as never)
    const target = await webhookOf(user, 'untraced')
    const sent = await sendWebhook(target, { n: 1 }, { baseUrl: daemon.url })
    expect(sent.status).toBe(202)
    const [request] = await waitFor('the reaction', async () => {
      const found = sink.requests.filter((r) => r.path === '/off')
      return found.length ? found : undefined
    })
    expect(request!.headers.traceparent).toBeUndefined()
    const eventId = (sent.body as { hookLogId: string }).hookLogId
    // The reaction's line follows its answer, which may come after the sink recorded the request.
    const lines = await waitFor('the reaction logged', async () => {
      const found = daemon.logs.filter((l) => l.hookLogId === eventId)
      return found.some((l) => l.msg === 'http request answered') ? found : undefined
    })
    for (const line of lines) expect(line).not.toHaveProperty('trace_id')
    const loaded = (await readFile(modules, 'utf8')).split('\n')
    // The trace saw the daemon's packages load, and none of the OpenTelemetry SDK's (the API
    // package alone is prom-client's, loaded for /metrics whatever the traces).
    expect(loaded.some((url) => url.includes('/node_modules/fastify/'))).toBe(true)
    expect(
      loaded.filter(
        (url) => url.includes('/node_modules/@opentelemetry/') && !url.includes('/@opentelemetry/api/'),
      ),
    ).toEqual([])
  }, 180_000)
})
