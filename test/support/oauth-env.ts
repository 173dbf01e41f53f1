/** Points the github service's OAuth settings at a local fake provider (and its API at a fake). */
import type { DaemonContext } from '../../src/daemon/context.js'
import { createEngine } from '../../src/engine/run.js'
import type { FakeOAuthProvider } from './fakes/oauth-provider.js'

export function githubOAuthEnv(provider: FakeOAuthProvider, apiUrl?: string): Record<string, string> {
  return {
    AREA_GITHUB_CLIENT_ID: provider.clientId,
    AREA_GITHUB_CLIENT_SECRET: provider.clientSecret,
    AREA_GITHUB_OAUTH_AUTHORIZE_URL: provider.authorizeUrl,
    AREA_GITHUB_OAUTH_TOKEN_URL: provider.tokenUrl,
    ...(apiUrl ? { AREA_GITHUB_API_URL: apiUrl } : {}),
  }
}

/** The test context's engine reads no environment: give it one with these settings. */
export function useServiceEnv(ctx: DaemonContext, env: Record<string, string>): void {
  ctx.engine = createEngine(ctx.registry, env)
}

/** The path and query of a callback URL the provider redirected to, for app.inject. */
export function pathOf(url: string): string {
  const parsed = new URL(url)
  return `${parsed.pathname}${parsed.search}`
}

/** One answer as a browser sees it. */
export interface BrowserAnswer {
  status: number
  location: string | undefined
  setCookie: string[]
  body: string
}

/** A browser's request to the area API: by app.inject or over HTTP. */
export type BrowserSend = (
  method: 'GET' | 'POST',
  path: string,
  options?: { cookie?: string; form?: Record<string, string> },
) => Promise<BrowserAnswer>

const list = (value: string | string[] | undefined) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]

export function injectBrowser(app: {
  inject(options: object): Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>
}): BrowserSend {
  return async (method, path, options = {}) => {
    const response = await app.inject({
      method,
      url: path,
      headers: {
        ...(options.cookie ? { cookie: options.cookie } : {}),
        ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(options.form ? { payload: new URLSearchParams(options.form).toString() } : {}),
    })
    return {
      status: response.statusCode,
      location: response.headers.location as string | undefined,
      setCookie: list(response.headers['set-cookie'] as string | string[] | undefined),
      body: response.body,
    }
  }
}

export function fetchBrowser(baseUrl: string): BrowserSend {
  return async (method, path, options = {}) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(options.cookie ? { cookie: options.cookie } : {}),
        ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(options.form ? { body: new URLSearchParams(options.form).toString() } : {}),
    })
    return {
      status: response.status,
      location: response.headers.get('location') ?? undefined,
      setCookie: response.headers.getSetCookie(),
      body: await response.text(),
    }
  }
}

/** The hidden fields and action of the callback's confirmation form. */
export function confirmForm(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? ''
  const fields: Record<string, string> = {}
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)) {
    fields[name as string] = (value as string).replace(/&#(\d+);/g, (_, code) =>
      String.fromCharCode(Number(code)),
    )
  }
  return { action: action.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))), fields }
}

/**
 * What a person does with an authorize URL: opens it (our start page sets the browser's cookie
 * and redirects), approves at the provider, sees the confirmation page, and confirms.
 */
export async function connectInBrowser(send: BrowserSend, authorizeUrl: string, provider: FakeOAuthProvider) {
  const start = await send('GET', pathOf(authorizeUrl))
  if (start.status !== 302 || !start.location)
    throw new Error(`start answered ${start.status}: ${start.body}`)
  const cookie = start.setCookie.map((c) => c.split(';')[0]).join('; ')
  const callback = await provider.approve(start.location)
  const confirmation = await send('GET', pathOf(callback), { cookie })
  if (confirmation.status !== 200) return { start, callback, cookie, confirmation, answer: confirmation }
  const form = confirmForm(confirmation.body)
  const answer = await send('POST', form.action, { cookie, form: form.fields })
  return { start, callback, cookie, confirmation, form, answer }
}
