import { PermanentError } from '../engine/errors.js'

export interface Target {
  /** The URL to request, without userinfo (fetch refuses URLs carrying credentials). */
  url: URL
  /** Basic credentials taken from the URL's userinfo, if it had any. */
  authorization: string | undefined
  /** The URL as errors and logs may show it: no userinfo, query values masked. */
  display: string
}

export function parseTarget(raw: string): Target {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    // The raw text is not echoed: it may hold a token.
    throw new PermanentError('invalid URL: expected an absolute http:// or https:// URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PermanentError(`unsupported URL scheme "${url.protocol}": use http:// or https://`)
  }
  let authorization: string | undefined
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username)
    const password = decodeURIComponent(url.password)
    authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
    url.username = ''
    url.password = ''
  }
  url.hash = ''
  return { url, authorization, display: redactUrl(url) }
}

/** Drops userinfo and masks query values, which often carry API keys. */
export function redactUrl(url: URL): string {
  const keys = [...url.searchParams.keys()]
  const query = keys.length ? `?${keys.map((k) => `${encodeURIComponent(k)}=***`).join('&')}` : ''
  return `${url.origin}${url.pathname}${query}`
}
