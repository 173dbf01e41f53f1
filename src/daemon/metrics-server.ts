/**
 * The small HTTP port of worker and scheduler processes (they serve no API): /metrics for
 * Prometheus, /healthz and /readyz for Kubernetes probes.
 */
import { createServer } from 'node:http'
import type { Logger } from '../engine/types.js'
import { listenOn } from './listen.js'
import type { AreaMetrics } from './metrics.js'

export interface MetricsServer {
  port: number
  /** Readiness turns false first, then the port closes. */
  close(): Promise<void>
}

export interface MetricsServerOptions {
  /** AREA_METRICS_PORT was not set: a taken default port gives way to any free one. */
  fallbackToAnyPort?: boolean
  logger?: Logger
}

export async function startMetricsServer(
  metrics: AreaMetrics,
  host: string,
  port: number,
  options: MetricsServerOptions = {},
): Promise<MetricsServer> {
  let ready = true
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET') {
      res.writeHead(405).end()
    } else if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      )
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')
    } else if (path === '/readyz') {
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: ready ? 'ready' : 'draining' }))
    } else {
      res.writeHead(404).end()
    }
  })
  const bound = await listenOn(server, {
    host,
    port,
    setting: 'AREA_METRICS_PORT',
    what: 'metrics',
    ...options,
  })
  return {
    port: bound,
    close() {
      ready = false
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
