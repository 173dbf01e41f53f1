/**
 * The load: autocannon POSTing a 1 KB JSON body, each request signed as Standard Webhooks with a
 * webhook-id of its own (signed in setupRequest, so the ingest never sees a replay).
 */
import { randomBytes } from 'node:crypto'
import autocannon from 'autocannon'
import { signStandardWebhook } from '../src/services/webhook/standard-webhooks.js'

export interface LoadOptions {
  url: string
  path: string
  secret: string
  connections: number
  durationSeconds: number
  body: string
}

export interface LoadResult {
  reqPerSec: number
  latencyMs: { p50: number; p99: number; max: number; average: number }
  requests: number
  ok2xx: number
  non2xx: number
  errors: number
  timeouts: number
}

/** A JSON document of exactly `bytes` bytes, shaped like a typical event. */
export function jsonBody(bytes: number): string {
  const base = {
    type: 'invoice.paid',
    timestamp: '2025-06-01T12:00:00.000Z',
    data: {
      id: 'in_1Nv2',
      customer: 'cus_9s6X',
      amount: 1200,
      currency: 'eur',
      lines: [{ sku: 'A-1', qty: 2 }],
    },
    padding: '',
  }
  const room = bytes - Buffer.byteLength(JSON.stringify(base))
  if (room < 0) throw new Error(`a body of ${bytes} bytes is too small for the sample event`)
  base.padding = 'x'.repeat(room)
  return JSON.stringify(base)
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const run = randomBytes(4).toString('hex')
  let sequence = 0
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    requests: [
      {
        method: 'POST',
        path: options.path,
        headers: { 'content-type': 'application/json' },
        body: options.body,
        setupRequest: (request) => {
          const id = `msg_${run}_${++sequence}`
          const timestamp = String(Math.floor(Date.now() / 1000))
          const signature = signStandardWebhook(options.secret, { id, timestamp, body: options.body })
          return {
            ...request,
            headers: {
              ...request.headers,
              'webhook-id': id,
              'webhook-timestamp': timestamp,
              'webhook-signature': signature,
            },
          }
        },
      },
    ],
  })
  return {
    reqPerSec: Math.round(result.requests.average),
    latencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      average: Math.round(result.latency.average * 100) / 100,
    },
    requests: result.requests.total,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  }
}
