/**
 * An open-loop load at an even pace: request i leaves at start + i / rate, whatever the answers
 * do. autocannon's `overallRate` sends each connection's quota back to back at the top of every
 * second, so a latency figure "at 500 req/s" would measure a burst of 500 every second instead.
 */
import { Agent, request } from 'node:http'

export interface PacedRequest {
  path: string
  headers: Record<string, string>
  body: string
}

export interface PacedResult {
  sent: number
  ok2xx: number
  non2xx: number
  errors: number
  /** Requests that left more than 5 ms after their slot: the generator could not keep the pace. */
  late: number
}

export async function sendPaced(options: {
  url: string
  ratePerSec: number
  durationSeconds: number
  build: (index: number) => PacedRequest
}): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 })
  const target = new URL(options.url)
  const total = Math.round(options.ratePerSec * options.durationSeconds)
  const intervalMs = 1000 / options.ratePerSec
  const result: PacedResult = { sent: 0, ok2xx: 0, non2xx: 0, errors: 0, late: 0 }
  const inFlight = new Set<Promise<void>>()
  const start = performance.now()

  const send = (index: number) => {
    const { path, headers, body } = options.build(index)
    const done = new Promise<void>((resolve) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path,
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          response.resume()
          response.on('end', () => {
            const status = response.statusCode ?? 0
            if (status >= 200 && status < 300) result.ok2xx += 1
            else result.non2xx += 1
            resolve()
          })
        },
      )
      req.on('error', () => {
        result.errors += 1
        resolve()
      })
      req.end(body)
    })
    inFlight.add(done)
    void done.then(() => inFlight.delete(done))
    result.sent += 1
  }

  let next = 0
  while (next < total) {
    const now = performance.now() - start
    while (next < total && next * intervalMs <= now) {
      if (now - next * intervalMs > 5) result.late += 1
      send(next)
      next += 1
    }
    const wait = next * intervalMs - (performance.now() - start)
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)))
  }
  await Promise.all(inFlight)
  agent.destroy()
  return result
}
