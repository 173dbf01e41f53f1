/**
 * The OpenTelemetry SDK behind src/lib/tracing.ts (docs/architecture.md, "Traces"). Imported
 * dynamically by ./start.ts, and only when an OTLP endpoint is configured: a daemon without one
 * loads none of these packages. Spans are batched and exported as OTLP/HTTP JSON; the exporter
 * reads the standard OTEL_EXPORTER_OTLP_* variables itself.
 */
import {
  type Attributes,
  type Context,
  context,
  DiagLogLevel,
  diag,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources'
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node'
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions'
import type {
  LogTraceFields,
  SpanKindName,
  SpanOptions,
  StartedSpan,
  TraceAttributes,
  Tracer,
  TraceSpan,
} from '../../engine/tracing.js'
import type { Logger } from '../../engine/types.js'

export interface OtelOptions {
  serviceName: string
  serviceVersion: string
  /** Resource attributes beside the service's: the roles this process runs. */
  resource: TraceAttributes
  logger: Logger
  env: Readonly<Record<string, string | undefined>>
  /** Tests: spans go here, each as it ends, instead of to the OTLP endpoint. */
  exporter?: SpanExporter
}

const KINDS: Record<SpanKindName, SpanKind> = {
  server: SpanKind.SERVER,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
  internal: SpanKind.INTERNAL,
}

export function createOtelTracer(options: OtelOptions): Tracer {
  // The SDK's own complaints (an export refused, the collector away) go to our log, as warnings.
  diag.setLogger(
    {
      error: (message) => options.logger.warn({ component: 'tracing' }, message),
      warn: (message) => options.logger.warn({ component: 'tracing' }, message),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  )
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: options.serviceName,
    [ATTR_SERVICE_VERSION]: options.serviceVersion,
    ...definedOnly(options.resource),
  }).merge(detectResources({ detectors: [envDetector] }))
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [
      options.exporter
        ? new SimpleSpanProcessor(options.exporter)
        : new BatchSpanProcessor(new OTLPTraceExporter()),
    ],
    // Recorded whatever a webhook sender's traceparent flags ask (docs/architecture.md, "Traces"),
    // unless the operator picks a sampler with the standard OTEL_TRACES_SAMPLER.
    ...(options.env.OTEL_TRACES_SAMPLER
      ? {}
      : {
          sampler: new ParentBasedSampler({
            root: new AlwaysOnSampler(),
            remoteParentNotSampled: new AlwaysOnSampler(),
          }),
        }),
  })
  // The AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register()
  const tracer = provider.getTracer('area', options.serviceVersion)

  /** The context a new span starts in, and the links it carries. */
  function placement(spanOptions: SpanOptions): { parent: Context; links: Link[] | undefined } {
    if (spanOptions.link) {
      const linked = trace.getSpanContext(parseTraceparent(spanOptions.link))
      return { parent: ROOT_CONTEXT, links: linked ? [{ context: linked }] : undefined }
    }
    if (spanOptions.parent) return { parent: parseTraceparent(spanOptions.parent), links: undefined }
    return { parent: context.active(), links: undefined }
  }

  function open(name: string, spanOptions: SpanOptions): { span: Span; parent: Context } {
    const { parent, links } = placement(spanOptions)
    const span = tracer.startSpan(
      name,
      {
        kind: KINDS[spanOptions.kind ?? 'internal'],
        ...(spanOptions.attributes ? { attributes: definedOnly(spanOptions.attributes) } : {}),
        ...(links ? { links } : {}),
      },
      parent,
    )
    return { span, parent }
  }

  return {
    async inSpan(name, spanOptions, run) {
      const { span, parent } = open(name, spanOptions)
      const handle: TraceSpan = { setAttributes: (attributes) => span.setAttributes(definedOnly(attributes)) }
      try {
        return await context.with(trace.setSpan(parent, span), () => run(handle))
      } catch (error) {
        fail(span, error)
        throw error
      } finally {
        span.end()
      }
    },
    startSpan(name, spanOptions): StartedSpan {
      const { span } = open(name, spanOptions)
      return {
        traceparent: traceparentOf(span),
        setAttributes: (attributes) => span.setAttributes(definedOnly(attributes)),
        end(error) {
          if (error !== undefined) fail(span, error)
          span.end()
        },
      }
    },
    setAttributes(attributes) {
      trace.getActiveSpan()?.setAttributes(definedOnly(attributes))
    },
    traceparent() {
      const span = trace.getActiveSpan()
      return span ? traceparentOf(span) : undefined
    },
    logFields(): LogTraceFields | undefined {
      const span = trace.getActiveSpan()?.spanContext()
      return span ? { trace_id: span.traceId, span_id: span.spanId } : undefined
    },
    async shutdown() {
      await provider.shutdown()
      trace.disable()
      context.disable()
      propagation.disable()
      diag.disable()
    },
  }
}

/** A context holding the remote span a traceparent names; the root context if it is malformed. */
function parseTraceparent(traceparent: string): Context {
  return propagation.extract(ROOT_CONTEXT, { traceparent })
}

function traceparentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext()
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`
}

/**
 * A failed span says what kind of error it was (its code, else its class), never the message:
 * messages may quote params or payloads, which stay out of traces. The execution logs hold them.
 */
function fail(span: Span, error: unknown): void {
  const code = errorCode(error)
  span.setAttribute('error.type', code)
  span.setStatus({ code: SpanStatusCode.ERROR, message: code })
}

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code
    if (typeof code === 'string' && code !== '') return code
    if (error instanceof Error) return error.name
  }
  return 'error'
}

function definedOnly(attributes: TraceAttributes): Attributes {
  const defined: Attributes = {}
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) defined[key] = value
  return defined
}
