/**
 * What a webhook sender's own `traceparent` header does to the ingest span (docs/architecture.md,
 * "Traces"): `continue` makes the span its child, in the sender's trace; `link` starts a trace of
 * area's own that only links to it. Only `traceparent` is read: a sender's `tracestate` is not
 * carried on to the reactions' targets.
 */
import type { SpanOptions } from '../../engine/tracing.js'
import type { WebhookTraceParent } from '../config-tracing.js'

export function incomingPlacement(
  header: string | string[] | undefined,
  mode: WebhookTraceParent,
): Pick<SpanOptions, 'parent' | 'link'> {
  // Repeated headers are ambiguous: neither is believed.
  if (typeof header !== 'string' || header === '') return {}
  return mode === 'link' ? { link: header } : { parent: header }
}
