/**
 * A small typed client over fetch for the daemon's /v1 API. Problem answers (RFC 9457) become
 * ApiErrors carrying status, code, detail and issues, with the CLI's exit code already chosen:
 * 401 → 4 (not authenticated), 400 validation → 3 (invalid input), anything else → 1.
 */
import { AREA_VERSION_HEADER } from '../contract/identity.js'
import type { Issue } from '../engine/errors.js'
import { CliError } from './cli-error.js'
import { ExitCode, type ExitCodeValue } from './exit-codes.js'

export interface Problem {
  type?: string
  title?: string
  status: number
  detail?: string
  code?: string
  errors?: Issue[]
}

export class ApiError extends CliError {
  readonly status: number
  readonly detail: string
  constructor(problem: Problem, url: string) {
    const code = problem.code ?? `http_${problem.status}`
    const detail = problem.detail || problem.title || `the API answered ${problem.status} for ${url}`
    // Validation problems list their issues one per line below the message: not twice.
    const message =
      code === 'validation_failed' && problem.errors?.length ? 'the server refused the request' : detail
    super(messageFor(code, problem.status, message), {
      exitCode: exitCodeFor(code, problem.status),
      code,
      ...(problem.errors?.length ? { issues: problem.errors } : {}),
    })
    this.name = 'ApiError'
    this.status = problem.status
    this.detail = detail
  }
}

const loginHint = 'run `area login`, or set AREA_TOKEN to a token from `area tokens create`'

function messageFor(code: string, status: number, detail: string): string {
  if (status === 401 && code === 'unauthenticated' && !detail.includes('area login'))
    return `${detail}: ${loginHint}`
  return detail
}

function exitCodeFor(code: string, status: number): ExitCodeValue {
  if (status === 401) return ExitCode.unauthenticated
  if (code === 'validation_failed' || code === 'malformed_json') return ExitCode.invalid
  return ExitCode.error
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | readonly string[] | undefined>
  body?: unknown
  signal?: AbortSignal
}

export interface ServerSentEvent {
  event: string
  id: string | undefined
  data: string
}

export class ApiClient {
  readonly baseUrl: string
  private readonly token: string | undefined

  constructor(baseUrl: string, token: string | undefined) {
    this.baseUrl = baseUrl.replace(/\/+$/, '')
    this.token = token
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options)
  }

  post<T>(path: string, body: unknown = {}, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body })
  }

  put<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body })
  }

  delete<T = void>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, options)
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options, 'application/json')
    if (response.status === 204) return undefined as T
    const text = await response.text()
    if (!text) return undefined as T
    try {
      return JSON.parse(text) as T
    } catch {
      throw new CliError(
        `the API at ${this.baseUrl} answered ${method} ${path} with something that is not JSON`,
        {
          code: 'bad_answer',
        },
      )
    }
  }

  /** Follows a Server-Sent Events stream until it ends or `signal` aborts. */
  async *stream(path: string, options: RequestOptions = {}): AsyncGenerator<ServerSentEvent> {
    const response = await this.send('GET', path, options, 'text/event-stream')
    if (!response.body) return
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true }).replaceAll('\r\n', '\n')
        let end = buffer.indexOf('\n\n')
        while (end >= 0) {
          const event = parseEvent(buffer.slice(0, end))
          buffer = buffer.slice(end + 2)
          if (event) yield event
          end = buffer.indexOf('\n\n')
        }
      }
    } catch (error) {
      if (options.signal?.aborted) return
      throw error
    }
  }

  private url(path: string, query: RequestOptions['query']): string {
    const url = new URL(`${this.baseUrl}${path}`)
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, String(item))
      else url.searchParams.set(key, String(value))
    }
    return url.toString()
  }

  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    accept: string,
  ): Promise<Response> {
    const url = this.url(path, options.query)
    const headers: Record<string, string> = { accept: `${accept}, application/problem+json` }
    if (this.token) headers.authorization = `Bearer ${this.token}`
    // The API refuses a JSON content type with an empty body: only say JSON when sending some.
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    let response: Response
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        ...(options.signal ? { signal: options.signal } : {}),
      })
    } catch (error) {
      throw unreachable(this.baseUrl, error)
    }
    if (!response.headers.has(AREA_VERSION_HEADER)) throw await notArea(this.baseUrl, response)
    if (response.ok) return response
    throw new ApiError(await readProblem(response), url)
  }
}

async function readProblem(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => '')
  try {
    const value = JSON.parse(text) as Partial<Problem>
    if (value && typeof value === 'object') return { ...value, status: response.status }
  } catch {
    // Not JSON (a proxy's HTML page…): the status says enough.
  }
  return {
    status: response.status,
    detail: `the API answered ${response.status} ${response.statusText}`.trim(),
  }
}

/**
 * Another server at that address (a web server, a proxy's error page, another API): its answer
 * would only fail later as a puzzle (`page.items is not iterable`), so it is refused up front.
 */
async function notArea(baseUrl: string, response: Response): Promise<CliError> {
  await response.body?.cancel().catch(() => {})
  const type = response.headers.get('content-type')?.split(';')[0]
  const seen = [`HTTP ${response.status}`, ...(type ? [type] : []), `no ${AREA_VERSION_HEADER} header`]
  // A proxy's 502/503/504 page: the proxy is right, the area server behind it is not answering.
  const proxied =
    response.status >= 502 && response.status <= 504
      ? '; if a proxy stands in front of area, area behind it is not answering'
      : ''
  return new CliError(
    `${baseUrl} answered but is not an area server (${seen.join(', ')})${proxied}: point --api-url or AREA_API_URL at the address \`area serve\` or \`area dev\` prints`,
    { code: 'not_area_server' },
  )
}

function unreachable(baseUrl: string, error: unknown): CliError {
  if ((error as Error).name === 'AbortError') return new CliError('interrupted', { code: 'aborted' })
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  const reason =
    cause?.code === 'ECONNREFUSED' ? 'connection refused' : (cause?.message ?? (error as Error).message)
  return new CliError(
    `cannot reach the area API at ${baseUrl} (${reason}): start it with \`area serve\` (or \`area dev\`), or point --api-url / AREA_API_URL at a running server`,
    { code: 'api_unreachable' },
  )
}

function parseEvent(block: string): ServerSentEvent | undefined {
  let event = 'message'
  let id: string | undefined
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
    else if (field === 'id') id = value
  }
  return data.length ? { event, id, data: data.join('\n') } : undefined
}
