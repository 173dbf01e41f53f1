/**
 * Traces (docs/architecture.md, "Traces"): on when the standard OpenTelemetry variables name an
 * OTLP endpoint, off otherwise, so that a daemon without a collector loads none of the SDK. The
 * exporter reads the rest of the standard variables itself (OTEL_EXPORTER_OTLP_HEADERS,
 * OTEL_EXPORTER_OTLP_TIMEOUT, OTEL_BSP_*, OTEL_TRACES_SAMPLER…); only what decides whether to
 * start, and what area adds, is read and checked here.
 */
import type { Env } from './config-values.js'

/** What a webhook's own `traceparent` header does to its span. */
export type WebhookTraceParent = 'continue' | 'link'

export interface TracingSettings {
  /** Where spans go: the traces endpoint, or the base endpoint the exporter appends /v1/traces to. */
  endpoint: string
  /** OTEL_SERVICE_NAME, else `area`. */
  serviceName: string
  /** AREA_TRACE_WEBHOOK_PARENT: `continue` the sender's trace (default) or only `link` to it. */
  webhookParent: WebhookTraceParent
}

export function readTracingSettings(env: Env, problems: string[]): TracingSettings | undefined {
  const webhookParent = env.AREA_TRACE_WEBHOOK_PARENT || 'continue'
  if (webhookParent !== 'continue' && webhookParent !== 'link') {
    problems.push(`AREA_TRACE_WEBHOOK_PARENT must be "continue" or "link" (got "${webhookParent}")`)
  }
  const tracesEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || undefined
  const endpoint = tracesEndpoint ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined)
  // The specification's switches: the SDK disabled, or no trace exporter.
  const disabled =
    env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true' ||
    env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none'
  if (endpoint === undefined || disabled) return undefined
  const name = tracesEndpoint ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT'
  if (!isHttpUrl(endpoint)) {
    problems.push(
      `${name} must be the collector's OTLP/HTTP URL, e.g. http://otel-collector:4318 (got "${endpoint}"); unset it to turn traces off`,
    )
  }
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase()
  if (exporter && exporter !== 'otlp') {
    problems.push(`OTEL_TRACES_EXPORTER must be "otlp" or "none" (got "${env.OTEL_TRACES_EXPORTER}")`)
  }
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim()
  if (protocol && protocol !== 'http/json') {
    problems.push(
      `OTEL_EXPORTER_OTLP_PROTOCOL: area exports traces as "http/json" only (got "${protocol}"); unset it, collectors take JSON on their OTLP/HTTP port (4318)`,
    )
  }
  return {
    endpoint,
    serviceName: env.OTEL_SERVICE_NAME || 'area',
    webhookParent: webhookParent as WebhookTraceParent,
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}
