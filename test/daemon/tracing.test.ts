/**
 * Traces in one process (docs/architecture.md, "Traces"): the settings that turn them on, the
 * no-op path while they are off, and the SDK's spans (in memory here) once installed: parents
 * from a traceparent, links for an untrusted sender, log lines naming the span, failures named
 * by their code only, and the enqueue span a job carries. test/e2e/traces.int.test.ts runs the
 * same across processes, with a real OTLP receiver.
 */
import { Writable } from 'node:stream'
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readTracingSettings } from '../../src/daemon/config-tracing.js'
import { createLogger } from '../../src/daemon/logger.js'
import { enqueueTraced } from '../../src/daemon/tracing/enqueue.js'
import { incomingPlacement } from '../../src/daemon/tracing/incoming.js'
import { createOtelTracer } from '../../src/daemon/tracing/otel.js'
import type { ReactionDefinition } from '../../src/engine/define.js'
import { PermanentError } from '../../src/engine/errors.js'
import {
  currentTraceparent,
  inSpan,
  installTracer,
  startSpan,
  traceLogFields,
  tracingEnabled,
  withTraceparent,
} from '../../src/engine/tracing.js'
import { http } from '../../src/services/http/index.js'
import { reactionContext } from '../support/services/handler-context.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'

const httpRequest = http.reactions.find((r) => r.id === 'request') as ReactionDefinition
let sink: HttpSink
beforeAll(async () => {
  sink = await startHttpSink()
})
afterAll(() => sink.close())

/** The traceparent header `http.request` sent with `headers` as its params' headers. */
async function sentTraceparent(headers?: Record<string, string>): Promise<unknown> {
  const before = sink.requests.length
  await httpRequest.run(reactionContext({ url: `${sink.url}/t`, ...(headers ? { headers } : {}) }))
  return sink.requests[before]?.headers.traceparent
}

const read = (env: Record<string, string>) => {
  const problems: string[] = []
  return { tracing: readTracingSettings(env, problems), problems }
}

describe('tracing settings', () => {
  it('are off without an endpoint, or when the standard switches say so', () => {
    expect(read({})).toEqual({ tracing: undefined, problems: [] })
    expect(read({ OTEL_SERVICE_NAME: 'x' }).tracing).toBeUndefined()
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }
    expect(read({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).tracing).toBeUndefined()
    expect(read({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).tracing).toBeUndefined()
  })

  it('are on with either endpoint variable, the traces one first', () => {
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
      tracing: { endpoint: 'http://collector:4318', serviceName: 'area', webhookParent: 'continue' },
      problems: [],
    })
    expect(
      read({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/v1/traces',
        OTEL_SERVICE_NAME: 'area-prod',
        AREA_TRACE_WEBHOOK_PARENT: 'link',
      }).tracing,
    ).toEqual({
      endpoint: 'https://traces.example.com/v1/traces',
      serviceName: 'area-prod',
      webhookParent: 'link',
    })
  })

  it('name each bad variable and what to set', () => {
    expect(
      read({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_EXPORTER: 'zipkin',
        AREA_TRACE_WEBHOOK_PARENT: 'trust',
      }).problems,
    ).toEqual([
      'AREA_TRACE_WEBHOOK_PARENT must be "continue" or "link" (got "trust")',
      `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be the collector's OTLP/HTTP URL, e.g. http://otel-collector:4318 (got "collector:4318"); unset it to turn traces off`,
      'OTEL_TRACES_EXPORTER must be "otlp" or "none" (got "zipkin")',
      `OTEL_EXPORTER_OTLP_PROTOCOL: area exports traces as "http/json" only (got "grpc"); unset it, collectors take JSON on their OTLP/HTTP port (4318)`,
    ])
  })
})

describe("a webhook sender's traceparent", () => {
  const header = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
  it('is continued, or only linked to, and ignored when absent or repeated', () => {
    expect(incomingPlacement(header, 'continue')).toEqual({ parent: header })
    expect(incomingPlacement(header, 'link')).toEqual({ link: header })
    expect(incomingPlacement(undefined, 'continue')).toEqual({})
    expect(incomingPlacement([header, header], 'continue')).toEqual({})
  })
})

/** A logger writing to `lines`, as the daemon's is built. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>)
      done()
    },
  })
  return { logger: createLogger('info', sink), lines }
}

describe('with traces off', () => {
  it('runs the work as is and adds nothing to jobs or log lines', async () => {
    expect(tracingEnabled()).toBe(false)
    const jobs = [{ hookLogId: 'e1', areaActionId: 'a1' }]
    expect(await inSpan('x', {}, async () => currentTraceparent())).toBeUndefined()
    expect(startSpan('x', {})).toBeUndefined()
    expect(withTraceparent(jobs)).toBe(jobs)
    const enqueued: unknown[] = []
    await enqueueTraced(jobs, async (given) => {
      enqueued.push(...given)
    })
    expect(enqueued).toEqual(jobs)
    const { logger, lines } = capturedLogger()
    logger.info({ a: 1 }, 'one')
    logger.info('two')
    expect(lines.map((l) => [l.msg, 'trace_id' in l])).toEqual([
      ['one', false],
      ['two', false],
    ])
    // pino merges each line into what the mixin returns: never one shared object.
    expect(traceLogFields()).not.toBe(traceLogFields())
    expect(await sentTraceparent()).toBeUndefined()
  })
})

describe('with traces on', () => {
  const exporter = new InMemorySpanExporter()
  const spans = () => exporter.getFinishedSpans()
  const byName = (name: string): ReadableSpan => {
    const span = spans().find((s) => s.name === name)
    if (!span) throw new Error(`no span ${name} among ${spans().map((s) => s.name)}`)
    return span
  }
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId
  const { logger, lines } = capturedLogger()
  let shutdown: () => Promise<void>

  beforeAll(() => {
    const tracer = createOtelTracer({
      serviceName: 'area-test',
      serviceVersion: '0.0.0',
      resource: { 'area.roles': 'all' },
      logger,
      env: {},
      exporter,
    })
    installTracer(tracer)
    shutdown = async () => {
      installTracer(undefined)
      await tracer.shutdown()
    }
  })
  afterAll(() => shutdown())

  it('continues a traceparent, nests spans and names the active one in traceparents and log lines', async () => {
    const caller = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    const seen = await inSpan('outer', { kind: 'server', parent: caller }, async () =>
      inSpan(
        'inner',
        { attributes: { 'area.reaction': 'post', 'area.for_each.index': undefined } },
        async () => {
          logger.info({ hookLogId: 'e1' }, 'inside')
          return currentTraceparent()
        },
      ),
    )
    logger.info('outside')
    const outer = byName('outer')
    const inner = byName('inner')
    expect(outer.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c')
    expect(parentOf(outer)).toBe('b7ad6b7169203331')
    expect(parentOf(inner)).toBe(outer.spanContext().spanId)
    expect(inner.attributes).toEqual({ 'area.reaction': 'post' })
    expect(seen).toBe(`00-0af7651916cd43dd8448eb211c80319c-${inner.spanContext().spanId}-01`)
    expect(lines.find((l) => l.msg === 'inside')).toMatchObject({
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_id: inner.spanContext().spanId,
    })
    expect(lines.find((l) => l.msg === 'outside')).not.toHaveProperty('trace_id')
  })

  it("starts a trace of its own, linked to an untrusted sender's, records a sender's unsampled trace anyway", async () => {
    const sender = '00-11111111111111111111111111111111-2222222222222222-01'
    await inSpan('linked', { link: sender }, async () => {})
    const linked = byName('linked')
    expect(linked.spanContext().traceId).not.toBe('11111111111111111111111111111111')
    expect(parentOf(linked)).toBeUndefined()
    expect(linked.links.map((l) => l.context.spanId)).toEqual(['2222222222222222'])
    // A sender asking not to be sampled (flags 00) does not hide its events from the operator.
    await inSpan(
      'unsampled',
      { parent: '00-33333333333333333333333333333333-4444444444444444-00' },
      async () => {},
    )
    expect(byName('unsampled').spanContext().traceId).toBe('33333333333333333333333333333333')
  })

  it('names a failure by its code, never by its message', async () => {
    await expect(
      inSpan('failing', {}, async () => {
        throw new PermanentError('the body said hunter2', { code: 'invalid_rendered_params' })
      }),
    ).rejects.toThrow('hunter2')
    const failing = byName('failing')
    expect(failing.status).toEqual({ code: 2, message: 'invalid_rendered_params' })
    expect(failing.attributes).toEqual({ 'error.type': 'invalid_rendered_params' })
    expect(JSON.stringify(failing.events)).not.toContain('hunter2')
  })

  it("sends the reaction's span as traceparent from http.request, unless its params set one", async () => {
    const [sent, span] = await inSpan('area.reaction post', {}, async () => [
      await sentTraceparent(),
      currentTraceparent(),
    ])
    expect(sent).toBe(span)
    expect(sent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    const own = '00-55555555555555555555555555555555-6666666666666666-01'
    expect(await inSpan('area.reaction own', {}, () => sentTraceparent({ traceparent: own }))).toBe(own)
  })

  it("gives each job an enqueue span, child of its event's span, ended when the add settles", async () => {
    const request = startSpan('request', {})
    if (!request) throw new Error('tracing is on')
    let carried: string | undefined
    await enqueueTraced(
      [{ hookLogId: 'e1', areaActionId: 'a1', traceparent: request.traceparent }],
      async (jobs) => {
        carried = jobs[0]?.traceparent
      },
    )
    request.end()
    const enqueue = byName('area.enqueue')
    expect(parentOf(enqueue)).toBe(byName('request').spanContext().spanId)
    expect(carried).toContain(enqueue.spanContext().spanId)
    expect(enqueue.attributes).toMatchObject({ 'area.event_id': 'e1', 'area.outcome': 'enqueued' })
    // Jobs enqueued inside a span carry it.
    const within = await inSpan('poll', {}, async () =>
      withTraceparent([{ hookLogId: 'e2', areaActionId: 'a1' }]),
    )
    expect(within[0]?.traceparent).toContain(byName('poll').spanContext().spanId)
  })
})
