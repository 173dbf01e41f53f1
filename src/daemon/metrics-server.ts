/**
 * The small HTTP port of worker and scheduler processes (they serve no API): /metrics for
 * Prometheus, /healthz and /readyz for Kubernetes probes.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AreaMetrics } from './metrics.js'

export interface MetricsServer {
  port: number
  /** Readiness turns false first, then the port closes. */
  close(): Promise<void>
}

export async function startMetricsServer(
  metrics: AreaMetrics,
  host: string,
  port: number,
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  return {
    port: (server.address() as AddressInfo).port,
    close() {
      ready = false
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
