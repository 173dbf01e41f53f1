import { type AreaError, PermanentError, RetryableError } from '../engine/errors.js'

const PREVIEW_CHARS = 200

/** 5xx, 429 (rate limited) and 408 (request timeout) may succeed later; other 4xx will not. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408
}

/** `Retry-After` as delay-seconds or an HTTP-date, in milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  const text = value?.trim()
  if (!text) return undefined
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

export interface FailedResponse {
  status: number
  headers: Headers
  text: string
}

/** The error for a response with status ≥ 400, classified for the worker's retry decision. */
export function statusError(method: string, display: string, response: FailedResponse): AreaError {
  const preview = response.text.replace(/\s+/g, ' ').trim().slice(0, PREVIEW_CHARS)
  const message = `${method} ${display} answered ${response.status}${preview ? `: ${preview}` : ''}`
  if (isRetryableStatus(response.status)) {
    return new RetryableError(message, { retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) })
  }
  return new PermanentError(message)
}
