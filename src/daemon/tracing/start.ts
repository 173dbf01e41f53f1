/**
 * Starts traces for one daemon process when its configuration asks (config-tracing.ts): loads
 * the SDK (./otel.ts) then, and installs it behind src/lib/tracing.ts. Without an endpoint
 * nothing is imported and every span call stays a no-op (docs/architecture.md, "Traces").
 */

import { installTracer } from '../../engine/tracing.js'
import type { Logger } from '../../engine/types.js'
import type { Role } from '../config.js'
import type { TracingSettings } from '../config-tracing.js'
import { areaVersion } from '../version.js'

export interface RunningTracing {
  /** Exports the spans still buffered, then uninstalls the tracer. */
  stop(): Promise<void>
}

export async function startTracing(
  settings: TracingSettings | undefined,
  options: { roles: readonly Role[]; logger: Logger; env?: Readonly<Record<string, string | undefined>> },
): Promise<RunningTracing | undefined> {
  if (!settings) return undefined
  const { createOtelTracer } = await import('./otel.js')
  const tracer = createOtelTracer({
    serviceName: settings.serviceName,
    serviceVersion: areaVersion,
    resource: { 'area.roles': options.roles.join(',') },
    logger: options.logger,
    env: options.env ?? process.env,
  })
  installTracer(tracer)
  options.logger.info(
    { endpoint: withoutCredentials(settings.endpoint), serviceName: settings.serviceName },
    'traces: exporting spans by OTLP/HTTP',
  )
  return {
    async stop() {
      installTracer(undefined)
      await tracer.shutdown()
    },
  }
}

/** The endpoint as logged: a user and password in its URL stay out of the log. */
function withoutCredentials(endpoint: string): string {
  const url = new URL(endpoint)
  url.username = ''
  url.password = ''
  return url.toString()
}
