/** A local HTTP server that records requests and answers as told: the reactions' target. */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SinkRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
  json: unknown
  /** When the request arrived and when its answer was sent (Date.now()): calls in flight overlap. */
  receivedAt: number
  answeredAt?: number
}

export interface SinkAnswer {
  status: number
  body?: unknown
  headers?: Record<string, string>
  /** Holds the answer this long (a slow or hanging target). */
  delayMs?: number
  /** Sent byte for byte instead of `body` as JSON (a body with raw control characters). */
  raw?: string
}

export interface HttpSink {
  url: string
  requests: SinkRequest[]
  /** The next answers, in order; when empty, 200 `{"ok":true}`. */
  answers: SinkAnswer[]
  /** Decides the answer from the request when it returns one; consulted before `answers`. */
  respond?: (request: SinkRequest) => SinkAnswer | undefined
  close(): Promise<void>
}

export async function startHttpSink(): Promise<HttpSink> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const request: SinkRequest = {
        receivedAt: Date.now(),
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        json: parse(body),
      }
      sink.requests.push(request)
      const answer = sink.respond?.(request) ?? sink.answers.shift() ?? { status: 200, body: { ok: true } }
      const send = () => {
        if (res.destroyed) return
        request.answeredAt = Date.now()
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        res.end(answer.raw ?? JSON.stringify(answer.body ?? {}))
      }
      if (answer.delayMs) setTimeout(send, answer.delayMs).unref()
      else send()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const sink: HttpSink = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    answers: [],
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())))
    },
  }
  return sink
}

function parse(body: string): unknown {
  try {
    return body ? JSON.parse(body) : undefined
  } catch {
    return undefined
  }
}
