/**
 * Traces as the rest of the code sees them (docs/architecture.md, "Traces"). This module imports
 * nothing: the OpenTelemetry SDK (src/daemon/tracing/otel.ts) is loaded, and installs itself
 * here, only when an OTLP endpoint is configured. Until then every call below is one check of an
 * unset variable, so the offline commands, and a daemon without tracing, pay nothing for it.
 */

/** Attribute values; undefined ones are left out. Never secrets or payload contents. */
export type TraceAttributes = Readonly<Record<string, string | number | boolean | undefined>>

export type SpanKindName = 'server' | 'producer' | 'consumer' | 'internal'

export interface SpanOptions {
  kind?: SpanKindName
  attributes?: TraceAttributes
  /**
   * A W3C traceparent to continue (a job's, carried from the process that enqueued it); without
   * it the span is a child of the active one, or a new trace.
   */
  parent?: string
  /** A traceparent this span only links to, starting a trace of its own (an untrusted caller's). */
  link?: string
}

export interface TraceSpan {
  setAttributes(attributes: TraceAttributes): void
}

/** A span ended by its owner, for work that outlives the call that started it (a bulk enqueue). */
export interface StartedSpan extends TraceSpan {
  /** This span's context as a W3C traceparent, for a job or a request to carry. */
  readonly traceparent: string
  /** Ends it; with an error, as failed. */
  end(error?: unknown): void
}

export interface LogTraceFields {
  trace_id: string
  span_id: string
}

export interface Tracer {
  /** Runs `run` in a new span, active for everything it awaits; an error it throws fails the span. */
  inSpan<T>(name: string, options: SpanOptions, run: (span: TraceSpan) => Promise<T>): Promise<T>
  startSpan(name: string, options: SpanOptions): StartedSpan
  /** Sets attributes on the active span, if any. */
  setAttributes(attributes: TraceAttributes): void
  /** The active span's context as a traceparent, if a span is active. */
  traceparent(): string | undefined
  logFields(): LogTraceFields | undefined
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>
}

let installed: Tracer | undefined

/** Called by the SDK's module when tracing starts, and with undefined when it stops. */
export function installTracer(tracer: Tracer | undefined): void {
  installed = tracer
}

export const tracingEnabled = (): boolean => installed !== undefined

const NO_SPAN: TraceSpan = { setAttributes() {} }

export function inSpan<T>(
  name: string,
  options: SpanOptions,
  run: (span: TraceSpan) => Promise<T>,
): Promise<T> {
  return installed ? installed.inSpan(name, options, run) : run(NO_SPAN)
}

/** Undefined while tracing is off: callers then keep their plain path. */
export function startSpan(name: string, options: SpanOptions): StartedSpan | undefined {
  return installed?.startSpan(name, options)
}

/** Attributes of the active span, known only inside the work it wraps (an event's AREA). */
export function setSpanAttributes(attributes: TraceAttributes): void {
  installed?.setAttributes(attributes)
}

/** The active span's traceparent: what an outgoing request or an enqueued job carries. */
export function currentTraceparent(): string | undefined {
  return installed?.traceparent()
}

/**
 * pino's mixin: `trace_id` and `span_id` on every line logged while a span is active. A new
 * object each time: pino merges the line's fields into what this returns.
 */
export function traceLogFields(): Partial<LogTraceFields> {
  return installed?.logFields() ?? {}
}

/** Jobs as given while tracing is off; else each carries the active span's traceparent. */
export function withTraceparent<J extends object>(jobs: J[]): (J & { traceparent?: string })[] {
  const traceparent = installed?.traceparent()
  return traceparent ? jobs.map((job) => ({ ...job, traceparent })) : jobs
}
