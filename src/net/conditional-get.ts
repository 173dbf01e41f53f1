/**
 * The GET of a polling action that re-reads one document: it sends back the validators of the
 * previous answer (If-None-Match, If-Modified-Since), so an unchanged document costs a 304, and
 * turns an error status into the worker's retry or permanent failure.
 */
import { bodyText, type HttpResponse, sendHttpRequest } from './client.js'
import { statusError } from './http-errors.js'
import { buildHeaders, DEFAULT_USER_AGENT } from './request-params.js'
import type { Target } from './target.js'

export interface Validators {
  etag?: string | undefined
  lastModified?: string | undefined
}

export interface ConditionalGet {
  target: Target
  /** The user's own headers (the action's `headers` param). */
  headers: Readonly<Record<string, string>> | undefined
  accept: string
  userAgent: string | undefined
  /** Only those of an answer for this same document: validators belong to one URL. */
  validators: Validators | undefined
  timeoutMs: number
  maxBodyBytes: number
  signal: AbortSignal
  allowPrivate?: string | undefined
}

/** The request's headers: the user's, the validators and the defaults. */
export function conditionalHeaders(request: ConditionalGet): Headers {
  return buildHeaders(request.headers, request.target, {
    accept: request.accept,
    'user-agent': request.userAgent ?? DEFAULT_USER_AGENT,
    'if-none-match': request.validators?.etag,
    'if-modified-since': request.validators?.lastModified,
  })
}

/** The GET itself, whatever its status. */
export function sendConditionalGet(
  request: ConditionalGet,
  target: Target = request.target,
  headers: Headers = conditionalHeaders(request),
  originBoundHeaders: readonly string[] = [],
): Promise<HttpResponse> {
  return sendHttpRequest({
    method: 'GET',
    target,
    headers,
    timeoutMs: request.timeoutMs,
    signal: request.signal,
    maxBodyBytes: request.maxBodyBytes,
    originBoundHeaders,
    ...(request.allowPrivate === undefined ? {} : { allowPrivate: request.allowPrivate }),
  })
}

/** A 2xx or 304 answer; anything from 400 up is thrown. */
export async function conditionalGet(request: ConditionalGet): Promise<HttpResponse> {
  const { target } = request
  const response = await sendConditionalGet(request)
  if (response.status >= 400) {
    throw statusError('GET', target.display, { ...response, text: bodyText(response) })
  }
  return response
}

/** The validators an answer gives for the next request. */
export function validatorsOf(response: HttpResponse): Validators {
  return {
    etag: response.headers.get('etag') ?? undefined,
    lastModified: response.headers.get('last-modified') ?? undefined,
  }
}
