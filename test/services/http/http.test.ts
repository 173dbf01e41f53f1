import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { canonicalJson, canonicalHash as hashJson } from '../../../src/engine/canonical-json.js'
import type { PollingHandler, ReactionDefinition } from '../../../src/engine/define.js'
import { PermanentError, RetryableError } from '../../../src/engine/errors.js'
import { validateParams } from '../../../src/engine/params.js'
import type { JsonObject } from '../../../src/engine/types.js'
import { http } from '../../../src/services/http/index.js'
import { expectDeclaredEvent, expectDeclaredOutput } from '../../support/services/declared-shape.js'
import { pollContext, reactionContext } from '../../support/services/handler-context.js'

interface Recorded {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void

let handler: Handler
const requests: Recorded[] = []
const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8')
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
    handler(req, res, body)
  })
})
let base = ''

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})
beforeEach(() => {
  requests.length = 0
  handler = (_req, res) => json(res, 200, { ok: true })
})

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

const request = http.reactions.find((r) => r.id === 'request') as ReactionDefinition
const jsonChanged = http.actions.find((a) => a.id === 'json_changed')?.polling as PollingHandler<
  Record<string, unknown>
>

const run = (params: Record<string, unknown>, overrides = {}) =>
  request.run(reactionContext(params, overrides))

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a failure')
}

describe('http.request', () => {
  it('POSTs a JSON body with the idempotency key and returns the parsed answer', async () => {
    handler = (_req, res) => json(res, 201, { id: 7 }, { etag: '"v1"', 'set-cookie': 'session=secret' })
    const output = await run({ url: `${base}/hooks?x=1`, body: { text: 'hi', n: [1, 2] } })
    expect(requests).toHaveLength(1)
    const [sent] = requests
    expect(sent?.method).toBe('POST')
    expect(sent?.url).toBe('/hooks?x=1')
    expect(sent?.headers['idempotency-key']).toBe('hook-log-1:reaction-1')
    expect(sent?.headers['content-type']).toBe('application/json')
    expect(sent?.headers['user-agent']).toBe('area')
    expect(JSON.parse(sent?.body ?? '')).toEqual({ text: 'hi', n: [1, 2] })
    expect(output).toMatchObject({ status: 201, body: { id: 7 }, truncated: false })
    const headers = (output as JsonObject).headers as JsonObject
    expect(headers.etag).toBe('"v1"')
    expect(headers['content-type']).toBe('application/json')
    expect(headers['set-cookie']).toBeUndefined()
    expectDeclaredOutput('http', 'request', output)
  })

  it("keeps the user's headers, whatever their case, over the defaults", async () => {
    await run({
      method: 'PUT',
      url: `${base}/x`,
      headers: { 'Idempotency-KEY': 'mine', 'Content-Type': 'application/vnd.api+json', 'User-Agent': 'me' },
      body: { a: 1 },
    })
    const sent = requests[0]
    expect(sent?.method).toBe('PUT')
    expect(sent?.headers['idempotency-key']).toBe('mine')
    expect(sent?.headers['content-type']).toBe('application/vnd.api+json')
    expect(sent?.headers['user-agent']).toBe('me')
    expect(sent?.body).toBe('{"a":1}')
  })

  it('sends a string body as is, and an object as a form when asked', async () => {
    await run({ url: `${base}/text`, body: 'plain words' })
    await run({
      url: `${base}/form`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: { name: 'a b', tags: ['x', 'y'], n: 3 },
    })
    expect(requests[0]?.body).toBe('plain words')
    expect(requests[0]?.headers['content-type']).toMatch(/^text\/plain/)
    expect(requests[1]?.body).toBe('name=a+b&tags=x&tags=y&n=3')
  })

  it('sends URL userinfo as Basic auth, not in the URL', async () => {
    await run({ method: 'GET', url: `${base.replace('http://', 'http://ann:p%40ss@')}/me` })
    expect(requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('ann:p@ss').toString('base64')}`)
  })

  it('returns text for non-JSON answers and truncates at 64 KiB', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('x'.repeat(100_000))
    }
    const output = (await run({ method: 'GET', url: `${base}/big` })) as JsonObject
    expect(output.truncated).toBe(true)
    expect(output.body).toBe('x'.repeat(64 * 1024))
  })

  it('answers HEAD with an empty body and refuses a body on GET', async () => {
    const output = (await run({ method: 'HEAD', url: `${base}/h` })) as JsonObject
    expect(requests[0]?.method).toBe('HEAD')
    expect(output).toMatchObject({ status: 200, body: '' })
    const error = await failure(run({ method: 'GET', url: `${base}/g`, body: { a: 1 } }))
    expect(error).toBeInstanceOf(PermanentError)
    expect(requests).toHaveLength(1)
  })

  it('makes a 500 retryable', async () => {
    handler = (_req, res) => json(res, 500, { error: 'boom' })
    const error = await failure(run({ url: `${base}/fail` }))
    expect(error).toBeInstanceOf(RetryableError)
    expect(error.message).toContain('500')
  })

  it('makes a 429 retryable after the Retry-After delay', async () => {
    handler = (_req, res) => json(res, 429, { error: 'slow down' }, { 'retry-after': '3' })
    const error = await failure(run({ url: `${base}/limited` }))
    expect(error).toBeInstanceOf(RetryableError)
    expect((error as RetryableError).retryAfterMs).toBe(3000)
  })

  it('reads Retry-After given as an HTTP date', async () => {
    const at = new Date(Date.now() + 120_000).toUTCString()
    handler = (_req, res) => json(res, 503, {}, { 'retry-after': at })
    const error = (await failure(run({ url: `${base}/down` }))) as RetryableError
    expect(error.retryAfterMs).toBeGreaterThan(100_000)
    expect(error.retryAfterMs).toBeLessThanOrEqual(120_000)
  })

  it('makes a 408 retryable', async () => {
    handler = (_req, res) => json(res, 408, {})
    expect(await failure(run({ url: `${base}/t` }))).toBeInstanceOf(RetryableError)
  })

  it('makes a 404 permanent, naming method, URL and status but no secrets', async () => {
    handler = (_req, res) => json(res, 404, { error: 'no such hook' })
    const url = `${base.replace('http://', 'http://ann:hunter2@')}/missing?token=s3cret&page=2`
    const error = await failure(run({ url }))
    expect(error).toBeInstanceOf(PermanentError)
    expect(error.message).toContain(`POST ${base}/missing?token=***&page=*** answered 404`)
    expect(error.message).toContain('no such hook')
    expect(error.message).not.toContain('hunter2')
    expect(error.message).not.toContain('s3cret')
  })

  it('gives up after the timeout with a retryable error', async () => {
    handler = (_req, res) => {
      setTimeout(() => json(res, 200, {}), 2_500)
    }
    const started = Date.now()
    const error = await failure(run({ url: `${base}/slow`, timeout: '1s' }))
    expect(error).toBeInstanceOf(RetryableError)
    expect(error.message).toMatch(/timed out after 1s/)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('stops when the job is cancelled', async () => {
    handler = (_req, res) => {
      setTimeout(() => json(res, 200, {}), 2_500)
    }
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const error = await failure(run({ url: `${base}/slow` }, { signal: controller.signal }))
    expect(error).toBeInstanceOf(RetryableError)
    expect(error.message).toMatch(/cancelled/)
  })

  it('makes a refused connection retryable', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const error = await failure(run({ url: `http://127.0.0.1:${port}/` }))
    expect(error).toBeInstanceOf(RetryableError)
    expect(error.message).toMatch(/ECONNREFUSED/)
  })

  it('refuses a non-http URL before sending anything', async () => {
    const error = await failure(run({ url: 'ftp://example.com/file' }))
    expect(error).toBeInstanceOf(PermanentError)
    expect(error.message).toMatch(/http:\/\/ or https:\/\//)
  })

  it('refuses a cloud metadata address before sending, as a permanent error', async () => {
    const error = await failure(run({ url: 'http://169.254.169.254/latest/meta-data/' }))
    expect(error).toBeInstanceOf(PermanentError)
    expect(error.message).toMatch(/169\.254\.169\.254.*AREA_HTTP_ALLOW_PRIVATE/)
  })

  it('applies the allowPrivate setting: none refuses the local server', async () => {
    const error = await failure(run({ url: `${base}/x` }, { settings: { allowPrivate: 'none' } }))
    expect(error).toBeInstanceOf(PermanentError)
    expect(error.message).toContain('127.0.0.1')
    expect(requests).toHaveLength(0)
  })

  it('follows redirects, turning a 303 into a GET and dropping credentials across origins', async () => {
    handler = (req, res) => {
      if (req.url === '/moved') {
        res.writeHead(303, { location: `http://localhost:${new URL(base).port}/final` })
        res.end()
        return
      }
      json(res, 200, { ok: true })
    }
    const output = await run({ url: `http://u:p@127.0.0.1:${new URL(base).port}/moved`, body: { a: 1 } })
    expect(output).toMatchObject({ status: 200, body: { ok: true } })
    expect(requests.map((r) => r.method)).toEqual(['POST', 'GET'])
    expect(requests[0]?.headers.authorization).toBeDefined()
    expect(requests[1]?.headers.authorization).toBeUndefined()
    expect(requests[1]?.body).toBe('')
  })

  it('schema refuses bad methods, URLs, timeouts, header names and unknown fields', () => {
    const check = (params: Record<string, unknown>) =>
      validateParams(request.params, params as never, '/p', 'run')
    expect(check({ url: 'https://example.com/x', method: 'PATCH', timeout: '30s', body: [1] }).ok).toBe(true)
    expect(check({ url: 'https://example.com/x', method: 'TRACE' }).ok).toBe(false)
    expect(check({ url: 'example.com/x' }).ok).toBe(false)
    expect(check({ url: 'https://example.com/x', timeout: '0s' }).ok).toBe(false)
    expect(check({ url: 'https://example.com/x', headers: { 'bad header': 'x' } }).ok).toBe(false)
    expect(check({ url: 'https://example.com/x', headers: { 'X-A': 'a\r\nX-B: b' } }).ok).toBe(false)
    expect(check({ url: 'https://example.com/x', verb: 'GET' }).ok).toBe(false)
  })
})

describe('http.json_changed', () => {
  let document: unknown
  let etag: string | undefined

  beforeEach(() => {
    document = { data: { items: [{ price: 10 }] } }
    etag = undefined
    handler = (req, res) => {
      if (etag && req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag })
        res.end()
        return
      }
      json(res, 200, document, etag ? { etag } : {})
    }
  })

  async function poll(state: JsonObject | undefined, params: Record<string, unknown> = {}) {
    return jsonChanged.poll(
      pollContext({ url: `${base}/doc`, path: 'data.items[0].price', ...params }, { state }),
    )
  }

  it('polls every 60s by default, at most every 5s', () => {
    expect(jsonChanged.defaultIntervalSeconds).toBe(60)
    expect(jsonChanged.minIntervalSeconds).toBe(5)
    expect(jsonChanged.schedule).toBeUndefined()
  })

  it('records the first value without firing', async () => {
    const first = await poll(undefined)
    expect(first.items).toEqual([])
    expect(first.state).toMatchObject({ value: 10, sequence: 0, hash: hashJson(10) })
    expect(requests[0]?.headers.accept).toBe('application/json')
  })

  it('fires once on a change, with the value and the previous one, then stays quiet', async () => {
    const first = await poll(undefined)
    document = { data: { items: [{ price: 12 }] } }
    const changed = await poll(first.state)
    expect(changed.items).toHaveLength(1)
    expect(changed.items[0]?.event).toEqual({
      url: `${base}/doc`,
      path: 'data.items[0].price',
      value: 12,
      previous: 10,
    })
    expect(changed.items[0]?.key).toBe(`1:${hashJson(12)}`)
    expectDeclaredEvent('http', 'json_changed', changed.items[0]?.event)
    const same = await poll(changed.state)
    expect(same.items).toEqual([])
    expect(same.state).toMatchObject({ value: 12, sequence: 1 })
  })

  it('fires on each change of A→B→A, with different keys', async () => {
    const a1 = await poll(undefined)
    document = { data: { items: [{ price: 20 }] } }
    const b = await poll(a1.state)
    document = { data: { items: [{ price: 10 }] } }
    const a2 = await poll(b.state)
    expect(b.items).toHaveLength(1)
    expect(a2.items).toHaveLength(1)
    expect(a2.items[0]?.event).toMatchObject({ value: 10, previous: 20 })
    expect(a2.items[0]?.key).not.toBe(b.items[0]?.key)
    expect(a2.items[0]?.key).toBe(`2:${hashJson(10)}`)
  })

  it('ignores key order inside the watched value', async () => {
    document = { a: 1, b: { c: 2, d: 3 } }
    const first = await poll(undefined, { path: '' })
    document = { b: { d: 3, c: 2 }, a: 1 }
    const second = await poll(first.state, { path: '' })
    expect(second.items).toEqual([])
    expect(canonicalJson({ b: { d: 3, c: 2 }, a: 1 })).toBe('{"a":1,"b":{"c":2,"d":3}}')
  })

  it('sends the stored ETag and treats 304 as no change', async () => {
    etag = '"rev-1"'
    const first = await poll(undefined)
    expect(requests[0]?.headers['if-none-match']).toBeUndefined()
    expect(first.state?.etag).toBe('"rev-1"')
    const second = await poll(first.state)
    expect(requests[1]?.headers['if-none-match']).toBe('"rev-1"')
    expect(second.items).toEqual([])
    expect(second.state).toEqual(first.state)
    document = { data: { items: [{ price: 11 }] } }
    etag = '"rev-2"'
    const third = await poll(second.state)
    expect(third.items[0]?.event).toMatchObject({ value: 11, previous: 10 })
    expect(third.state?.etag).toBe('"rev-2"')
  })

  it('sends If-Modified-Since from the stored Last-Modified', async () => {
    const lastModified = 'Wed, 01 Jan 2025 00:00:00 GMT'
    handler = (req, res) => {
      if (req.headers['if-modified-since'] === lastModified) {
        res.writeHead(304)
        res.end()
        return
      }
      json(res, 200, document, { 'last-modified': lastModified })
    }
    const first = await poll(undefined)
    const second = await poll(first.state)
    expect(requests[1]?.headers['if-modified-since']).toBe(lastModified)
    expect(second.items).toEqual([])
  })

  it('starts a new baseline, without firing, when the path changes', async () => {
    const first = await poll(undefined)
    const other = await poll(first.state, { path: 'data' })
    expect(other.items).toEqual([])
    expect(other.state).toMatchObject({ value: { items: [{ price: 10 }] } })
  })

  it('keeps only the hash of a large value, and reports previous as null', async () => {
    document = { blob: 'x'.repeat(20_000) }
    const first = await poll(undefined, { path: '' })
    expect(first.state?.value).toBeUndefined()
    expect(first.state?.hash).toBe(hashJson(document as JsonObject))
    document = { small: true }
    const changed = await poll(first.state, { path: '' })
    expect(changed.items[0]?.event).toMatchObject({ value: { small: true }, previous: null })
  })

  it('reads a missing path as null', async () => {
    const first = await poll(undefined, { path: 'data.nothing.here' })
    expect(first.state?.value).toBeNull()
  })

  it('classifies HTTP errors like the reaction', async () => {
    handler = (_req, res) => json(res, 503, {}, { 'retry-after': '7' })
    const unavailable = (await failure(poll(undefined))) as RetryableError
    expect(unavailable).toBeInstanceOf(RetryableError)
    expect(unavailable.retryAfterMs).toBe(7000)
    handler = (_req, res) => json(res, 401, { error: 'bad token' })
    const unauthorized = await failure(poll(undefined))
    expect(unauthorized).toBeInstanceOf(PermanentError)
    expect(unauthorized.message).toContain(`GET ${base}/doc answered 401`)
  })

  it('refuses a body that is not JSON', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html>maintenance</html>')
    }
    const error = await failure(poll(undefined))
    expect(error).toBeInstanceOf(PermanentError)
    expect(error.message).toMatch(/not JSON: <html>maintenance/)
  })

  it('applies the allowPrivate setting', async () => {
    const error = await failure(
      jsonChanged.poll(pollContext({ url: `${base}/doc` }, { settings: { allowPrivate: 'none' } })),
    )
    expect(error).toBeInstanceOf(PermanentError)
    expect(error.message).toContain('AREA_HTTP_ALLOW_PRIVATE')
    expect(requests).toHaveLength(0)
  })

  it('sends the configured headers', async () => {
    await poll(undefined, { headers: { Authorization: 'Bearer abc' } })
    expect(requests[0]?.headers.authorization).toBe('Bearer abc')
  })
})
