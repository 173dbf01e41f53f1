import { createHash } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import { getProperty } from 'dot-prop'
import { canonicalHash as hashJson } from '../../../engine/canonical-json.js'
import { defineAction } from '../../../engine/define.js'
import { PermanentError } from '../../../engine/errors.js'
import type { JsonObject, JsonValue } from '../../../engine/types.js'
import { bodyText, type HttpResponse } from '../../../net/client.js'
import {
  type ConditionalGet,
  conditionalHeaders,
  sendConditionalGet,
  validatorsOf,
} from '../../../net/conditional-get.js'
import { statusError } from '../../../net/http-errors.js'
import { headersParam, urlParam } from '../../../net/request-params.js'
import { parseTarget } from '../../../net/target.js'
import { connectionAuth } from '../connection-auth.js'

const TIMEOUT_MS = 30_000
/** A document this large is not a JSON API answer worth watching, and would bloat events. */
const MAX_DOCUMENT_BYTES = 1024 * 1024
/** Values above this are remembered by hash only, so the hook job's state stays small. */
const MAX_STORED_VALUE_BYTES = 16 * 1024

const params = Type.Object(
  {
    url: urlParam('The http:// or https:// URL of a JSON document', ['https://api.example.com/products/42']),
    path: Type.Optional(
      Type.String({
        description: 'Dot path of the watched value in the document; empty watches the whole document',
        default: '',
        examples: ['data.items[0].price', 'status', ''],
      }),
    ),
    headers: headersParam,
  },
  { additionalProperties: false },
)

/** What the action keeps between polls. */
interface WatchState {
  /** Which url and path the hash belongs to: changing either starts a new baseline. */
  source: string
  hash: string
  /** Counts changes, so a value that comes back (A→B→A) gets a new key each time. */
  sequence: number
  value?: JsonValue
  etag?: string
  lastModified?: string
}

export const jsonChanged = defineAction({
  id: 'json_changed',
  name: 'JSON value changed',
  description: 'Polls a URL and fires when the JSON value at a path changes (compared by a hash)',
  params,
  // Optional: a connection (bearer, basic, API key, client credentials) authenticates the GET.
  requiresConnection: false,
  polling: {
    defaultIntervalSeconds: 60,
    minIntervalSeconds: 5,
    async poll(ctx) {
      const path = (ctx.params.path ?? '').trim()
      const target = parseTarget(ctx.params.url)
      const source = sourceOf(target.url, path)
      const previous = readState(ctx.state, source)
      const auth = connectionAuth(ctx.auth, target, {
        signal: ctx.signal,
        allowPrivate: ctx.settings.allowPrivate,
      })
      const request: ConditionalGet = {
        target,
        headers: ctx.params.headers,
        accept: 'application/json',
        userAgent: ctx.settings.userAgent,
        // Validators only make sense against the document the stored hash came from.
        validators: previous?.source === source ? previous : undefined,
        timeoutMs: TIMEOUT_MS,
        signal: ctx.signal,
        allowPrivate: ctx.settings.allowPrivate,
        maxBodyBytes: MAX_DOCUMENT_BYTES,
      }
      let response: HttpResponse
      try {
        response = auth
          ? await auth.send(target, conditionalHeaders(request), (t, h, bound) =>
              sendConditionalGet(request, t, h, bound),
            )
          : await sendConditionalGet(request)
        if (response.status >= 400) {
          throw statusError('GET', target.display, { ...response, text: bodyText(response) })
        }
      } catch (error) {
        throw auth ? auth.maskError(error) : error
      }
      if (response.status === 304 && previous?.source === source) return { items: [], state: ctx.state }
      const text = bodyText(response)
      if (response.truncated) {
        throw new PermanentError(`GET ${target.display} answered more than ${MAX_DOCUMENT_BYTES} bytes`)
      }
      const value = valueAt(parseDocument(text, target.display, response.status), path)
      const hash = hashJson(value)
      const validators = validatorsOf(response)
      // Never reset the counter: a key from before a re-baseline must not come back.
      const sequence = previous?.sequence ?? 0
      if (!previous || previous.source !== source || previous.hash === hash) {
        return { items: [], state: writeState({ source, hash, sequence, value, ...validators }) }
      }
      const next = sequence + 1
      return {
        items: [
          {
            key: `${next}:${hash}`,
            event: { url: target.url.href, path, value, previous: previous.value ?? null },
          },
        ],
        state: writeState({ source, hash, sequence: next, value, ...validators }),
      }
    },
  },
  event: Type.Object(
    {
      url: Type.String({ description: 'The polled URL' }),
      path: Type.String({ description: 'The watched path (empty: the whole document)' }),
      value: Type.Unknown({ description: 'The new value at path (free-form JSON; null when missing)' }),
      previous: Type.Unknown({ description: 'The value before, or null when it was too large to keep' }),
    },
    { additionalProperties: false },
  ),
  exampleEvent: {
    url: 'https://api.example.com/products/42',
    path: 'data.price',
    value: 17.5,
    previous: 19.9,
  },
})

function parseDocument(text: string, display: string, status: number): JsonValue {
  try {
    return JSON.parse(text) as JsonValue
  } catch {
    const preview = text.replace(/\s+/g, ' ').trim().slice(0, 100)
    throw new PermanentError(`GET ${display} answered ${status} with a body that is not JSON: ${preview}`)
  }
}

/** The value at `path`; a missing value reads as null (JSON has no undefined). */
function valueAt(document: JsonValue, path: string): JsonValue {
  if (path === '') return document
  // dot-prop hands back non-object roots unchanged; a path into a string or number finds nothing.
  if (document === null || typeof document !== 'object') return null
  return (getProperty(document, path) as JsonValue | undefined) ?? null
}

function sourceOf(url: URL, path: string): string {
  return createHash('sha256').update(`${url.href}\n${path}`).digest('hex').slice(0, 16)
}

function readState(state: JsonObject | undefined, source: string): WatchState | undefined {
  if (!state || typeof state.hash !== 'string' || typeof state.sequence !== 'number') return undefined
  return {
    source: typeof state.source === 'string' ? state.source : source,
    hash: state.hash,
    sequence: state.sequence,
    value: state.value,
    etag: typeof state.etag === 'string' ? state.etag : undefined,
    lastModified: typeof state.lastModified === 'string' ? state.lastModified : undefined,
  }
}

function writeState(state: WatchState): JsonObject {
  const out: JsonObject = { source: state.source, hash: state.hash, sequence: state.sequence }
  const value = state.value ?? null
  if (Buffer.byteLength(JSON.stringify(value)) <= MAX_STORED_VALUE_BYTES) out.value = value
  if (state.etag) out.etag = state.etag
  if (state.lastModified) out.lastModified = state.lastModified
  return out
}
