/**
 * Supabase Auth through supabase-js, shared by the API (verifying access tokens) and the CLI
 * (`area login --supabase`, refreshing the saved session). Also the two things we read from a
 * token ourselves, without trusting them: whether it is shaped like a JWT, and its claims.
 */
import type { SupabaseClient } from '@supabase/supabase-js'

export type SupabaseAuth = SupabaseClient['auth']

export interface SupabaseAuthOptions {
  /** Each request to Supabase Auth gives up after this long (default 10 s). */
  timeoutMs?: number
  /** Hears why Supabase Auth could not be reached (DNS, refused, timeout): the URL has no token. */
  onUnreachable?: (error: Error) => void
  /**
   * Checks each request's address with the address guard first (the daemon: every outgoing call
   * is guarded, README "Network and credentials"); a refusal is answered like an outage.
   */
  checkAddress?: (url: URL) => Promise<void>
}

/**
 * supabase-js builds a Realtime client in createClient, and on Node 20 (no built-in WebSocket)
 * that throws unless a transport is given. Realtime is never used here: a transport that
 * refuses to be constructed lets the client be built and fails loudly if anything ever connects.
 */
class NoRealtimeTransport {
  constructor() {
    throw new Error('area does not use Supabase Realtime')
  }
}

/**
 * An auth client with no session of its own (no storage, no refresh timer), so one instance can
 * check any number of users' tokens and a CLI process ends when its work is done. supabase-js is
 * loaded on first use: nothing pays for it when Supabase is not configured.
 */
export async function createSupabaseAuth(
  url: string,
  anonKey: string,
  options: SupabaseAuthOptions = {},
): Promise<SupabaseAuth> {
  const { createClient } = await import('@supabase/supabase-js')
  const client = createClient(url, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: NoRealtimeTransport as never },
    global: { fetch: boundedFetch(options.timeoutMs ?? 10_000, options.onUnreachable, options.checkAddress) },
  })
  return client.auth
}

/**
 * fetch with a deadline. When Supabase cannot be reached, auth-js would print the fetch error
 * with console.error (stray unstructured output in the daemon's JSON logs); answering a plain
 * 503 instead makes it report the same retryable error quietly, and `onUnreachable` hears why.
 */
function boundedFetch(
  timeoutMs: number,
  onUnreachable: ((error: Error) => void) | undefined,
  checkAddress: ((url: URL) => Promise<void>) | undefined,
): typeof fetch {
  return async (input, init) => {
    try {
      if (checkAddress) {
        await checkAddress(new URL(input instanceof Request ? input.url : String(input)))
      }
      const deadline = AbortSignal.timeout(timeoutMs)
      const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline
      return await fetch(input, { ...init, signal })
    } catch (error) {
      onUnreachable?.(error instanceof Error ? error : new Error(String(error)))
      return new Response(JSON.stringify({ msg: 'Supabase Auth cannot be reached' }), {
        status: 503,
        headers: { 'content-type': 'application/json' },
      })
    }
  }
}

/** The reason behind a fetch failure, e.g. "connection refused" or "timed out". */
export function unreachableReason(error: Error): string {
  if (error.name === 'TimeoutError') return 'timed out'
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  if (cause?.code === 'ECONNREFUSED') return 'connection refused'
  return cause?.message ?? error.message
}

const base64url = /^[A-Za-z0-9_-]+$/

/** The claims we read from an access token; none of them is trusted before Supabase says so. */
export interface JwtClaims {
  sub?: unknown
  exp?: unknown
  iat?: unknown
}

/**
 * The claims of a token shaped like a JWT (three base64url parts, a JSON header naming its
 * algorithm, a JSON payload), else undefined. Reading them checks nothing: only Supabase
 * Auth's answer makes a token valid.
 */
export function jwtClaims(token: string): JwtClaims | undefined {
  // Supabase access tokens are well under 2 KB; a bound keeps garbage from costing a parse.
  if (token.length > 8192) return undefined
  const parts = token.split('.')
  if (parts.length !== 3 || !parts.every((part) => base64url.test(part))) return undefined
  const header = decodeJson(parts[0] as string)
  const payload = decodeJson(parts[1] as string)
  if (!header || typeof header.alg !== 'string' || !payload) return undefined
  return payload
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** A NumericDate claim (seconds) as a Date, or null when absent or not a number. */
export function claimDate(value: unknown): Date | null {
  return typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000) : null
}

/**
 * What an auth-js error means for us: `unavailable` when Supabase Auth could not be reached or
 * failed (network, timeout, 5xx, an answer that is not JSON), `refused` when it answered no.
 * Read from `name` and `status`, so supabase-js need not be loaded to tell.
 */
export function authErrorKind(error: { name?: string; status?: number }): 'refused' | 'unavailable' {
  if (error.name === 'AuthRetryableFetchError' || error.name === 'AuthUnknownError') return 'unavailable'
  return (error.status ?? 0) >= 500 ? 'unavailable' : 'refused'
}
