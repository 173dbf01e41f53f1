/**
 * The bones of the local fakes: an HTTP server on 127.0.0.1 that records every request and lets
 * a test queue one-off answers (errors, rate limits) ahead of the fake's own routing.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeRequest {
  method: string
  /** Path without the query. */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: string
}

export interface FakeAnswer {
  status: number
  headers?: Record<string, string>
  /** A string is sent as is; anything else as JSON. */
  body?: unknown
}

export interface FakeServer {
  url: string
  requests: FakeRequest[]
  /** Answers used, in order, before the fake's routing; for injecting failures. */
  queued: FakeAnswer[]
  close(): Promise<void>
}

export async function startFakeServer(route: (request: FakeRequest) => FakeAnswer): Promise<FakeServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake.invalid')
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      fake.requests.push(request)
      let answer: FakeAnswer
      try {
        answer = fake.queued.shift() ?? route(request)
      } catch (error) {
        answer = { status: 500, body: { message: String(error) } }
      }
      send(res, answer)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const fake: FakeServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    queued: [],
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())))
    },
  }
  return fake
}

function send(res: ServerResponse, answer: FakeAnswer): void {
  const isText = typeof answer.body === 'string'
  const body = answer.body === undefined ? '' : isText ? (answer.body as string) : JSON.stringify(answer.body)
  const headers: Record<string, string> = { ...answer.headers }
  if (body !== '' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8'
  }
  res.writeHead(answer.status, headers)
  res.end(answer.status === 204 || answer.status === 304 ? undefined : body)
}
