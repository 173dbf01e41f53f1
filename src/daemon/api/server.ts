/**
 * Listens with the app from app.ts, and closes it without dropping requests: readiness fails
 * first (so load balancers stop routing here), then the server stops accepting connections,
 * ends the log streams and lets in-flight requests finish.
 */
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { DaemonContext } from '../context.js'
import { PortInUseError } from '../listen.js'
import { type AreaApp, type BuildAppOptions, buildApp } from './app.js'

export interface ApiServer {
  app: AreaApp
  port: number
  /** e.g. http://127.0.0.1:8080 (the bound address). */
  url: string
  close(): Promise<void>
}

export interface ApiServerOptions extends Omit<BuildAppOptions, 'lifecycle'> {
  /**
   * Time between failing readiness and closing the listener, for load balancers to notice
   * (a few seconds behind Kubernetes Services; default 0).
   */
  drainDelayMs?: number
}

// Above the 60 s idle timeout of common load balancers: they close idle connections first, so
// they never send a request on a connection the server is closing.
const keepAliveTimeoutMs = 72_000
// Receiving a request (headers and body) may take this long; slow clients are cut off.
const headersTimeoutMs = 15_000
const requestTimeoutMs = 30_000

export async function startApiServer(ctx: DaemonContext, options: ApiServerOptions = {}): Promise<ApiServer> {
  const lifecycle = { draining: false }
  const app = await buildApp(ctx, { ...options, lifecycle })
  app.server.keepAliveTimeout = keepAliveTimeoutMs
  app.server.headersTimeout = headersTimeoutMs
  app.server.requestTimeout = requestTimeoutMs
  try {
    await app.listen({ host: ctx.config.host, port: ctx.config.port })
  } catch (error) {
    await app.close()
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new PortInUseError(ctx.config.host, ctx.config.port, 'PORT or --port', { cause: error })
    throw error
  }
  const address = app.server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  let closing: Promise<void> | undefined
  return {
    app,
    port: address.port,
    url: `http://${host}:${address.port}`,
    close() {
      closing ??= (async () => {
        lifecycle.draining = true
        if (options.drainDelayMs) await sleep(options.drainDelayMs)
        // Fastify: preClose hooks end the log streams, then the listener closes, idle keep-alive
        // connections are dropped, and requests in flight finish.
        await app.close()
      })()
      return closing
    },
  }
}
