/** A small HTTP client for tests that talk to a running `area serve`. */
import { randomUUID } from 'node:crypto'
import { signStandardWebhook } from '../../../src/services/webhook/standard-webhooks.js'

export interface ApiUser {
  baseUrl: string
  token: string
}

export async function call<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  })
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T }
}

export async function signup(baseUrl: string, email: string): Promise<ApiUser> {
  const { status, body } = await call<{ token: string }>(baseUrl, 'POST', '/v1/auth/signup', {
    body: { email, password: 'correct horse battery' },
  })
  if (status !== 201) throw new Error(`signup failed: ${status} ${JSON.stringify(body)}`)
  return { baseUrl, token: body.token }
}

export async function applyArea(user: ApiUser, document: { metadata: { name: string } }): Promise<unknown> {
  const { status, body } = await call(user.baseUrl, 'PUT', `/v1/areas/${document.metadata.name}`, {
    token: user.token,
    body: document,
  })
  if (status !== 200 && status !== 201) throw new Error(`apply failed: ${status} ${JSON.stringify(body)}`)
  return body
}

export interface WebhookTarget {
  webhookUrl: string
  secret: string
}

export async function webhookOf(user: ApiUser, name: string): Promise<WebhookTarget> {
  const { body } = await call<{ trigger: WebhookTarget }>(user.baseUrl, 'GET', `/v1/areas/${name}`, {
    token: user.token,
  })
  return { webhookUrl: body.trigger.webhookUrl, secret: body.trigger.secret }
}

/**
 * Sends a Standard Webhooks delivery; `baseUrl` replaces the public URL's origin when given, and
 * `rawBody` is sent (and signed) exactly as given instead of `payload` serialised; `headers` are
 * sent beside the signature's.
 */
export async function sendWebhook(
  target: WebhookTarget,
  payload: unknown,
  options: { id?: string; baseUrl?: string; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const id = options.id ?? `msg_${randomUUID()}`
  const timestamp = String(Math.floor(Date.now() / 1000))
  const body = options.rawBody ?? JSON.stringify(payload)
  const url = new URL(target.webhookUrl)
  const base = options.baseUrl ?? url.origin
  const response = await fetch(`${base}${url.pathname}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': signStandardWebhook(target.secret, { id, timestamp, body }),
      ...options.headers,
    },
    body,
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
