/**
 * `area login --supabase`: signing in to Supabase Auth with supabase-js (e-mail and password),
 * and renewing the saved session. Supabase access tokens live about an hour; the refresh token
 * saved beside one (mode 0600, like any token) gets the next one, once: Supabase rotates them.
 */
import {
  authErrorKind,
  createSupabaseAuth,
  type SupabaseAuth,
  unreachableReason,
} from '../supabase/auth-client.js'
import { CliError } from './cli-error.js'
import type { StoredSupabaseSession } from './config.js'
import { ExitCode } from './exit-codes.js'
import type { LoginInput } from './login-input.js'

export interface SupabaseTarget {
  url: string
  anonKey: string
}

export interface SupabaseSignIn {
  accessToken: string
  session: StoredSupabaseSession
}

/** The project URL and anon key from the flags (which oclif fills from the environment). */
export function supabaseTarget(flags: { url?: string; anonKey?: string }): SupabaseTarget {
  const missing = [
    !flags.url && '--supabase-url (or SUPABASE_URL)',
    !flags.anonKey && '--supabase-anon-key (or SUPABASE_ANON_KEY)',
  ].filter(Boolean)
  if (missing.length) {
    throw new CliError(
      `area login --supabase needs the Supabase project's URL and anon key, as the area server uses them: pass ${missing.join(' and ')} (Supabase: Project settings → API)`,
      { exitCode: ExitCode.invalid, code: 'missing_supabase_settings' },
    )
  }
  const url = (flags.url as string).replace(/\/+$/, '')
  if (!/^https?:\/\/[^/]/.test(url)) {
    throw new CliError(
      `--supabase-url must be the project's http(s) URL, e.g. https://abcd.supabase.co (got "${url}")`,
      {
        exitCode: ExitCode.invalid,
        code: 'invalid_supabase_url',
      },
    )
  }
  return { url, anonKey: flags.anonKey as string }
}

export async function signInWithSupabase(target: SupabaseTarget, input: LoginInput): Promise<SupabaseSignIn> {
  const { auth, unreachable } = await authFor(target)
  const { data, error } = await auth.signInWithPassword(input)
  if (error) {
    if (authErrorKind(error) === 'unavailable') throw unreachable(error.message)
    const hint =
      error.status === 401
        ? ': check the anon key (--supabase-anon-key, SUPABASE_ANON_KEY)'
        : error.code === 'email_not_confirmed'
          ? ': confirm the address with the link Supabase sent, then try again'
          : ''
    throw new CliError(`Supabase Auth at ${target.url} refused the sign-in (${error.message})${hint}`, {
      exitCode: ExitCode.unauthenticated,
      code: 'supabase_sign_in_refused',
    })
  }
  return sessionOf(target, data.session)
}

/** The next access token of a saved session; the refresh token it used is spent. */
export async function refreshSupabaseSession(stored: StoredSupabaseSession): Promise<SupabaseSignIn> {
  const target = { url: stored.url, anonKey: stored.anonKey }
  const { auth, unreachable } = await authFor(target)
  const { data, error } = await auth.refreshSession({ refresh_token: stored.refreshToken })
  if (error) {
    if (authErrorKind(error) === 'unavailable') throw unreachable(error.message)
    throw new CliError(
      `the Supabase session saved by \`area login --supabase\` cannot be renewed (${error.message}): run \`area login --supabase\` again`,
      { exitCode: ExitCode.unauthenticated, code: 'unauthenticated' },
    )
  }
  return sessionOf(target, data.session)
}

async function authFor(target: SupabaseTarget) {
  let reason: string | undefined
  const auth: SupabaseAuth = await createSupabaseAuth(target.url, target.anonKey, {
    onUnreachable: (error) => {
      reason = unreachableReason(error)
    },
  })
  const unreachable = (message: string) =>
    new CliError(`cannot reach Supabase Auth at ${target.url} (${reason ?? message})`, {
      code: 'supabase_unreachable',
    })
  return { auth, unreachable }
}

function sessionOf(
  target: SupabaseTarget,
  session: { access_token: string; refresh_token: string; expires_at?: number; expires_in: number } | null,
): SupabaseSignIn {
  if (!session) {
    throw new CliError(`Supabase Auth at ${target.url} answered without a session`, {
      code: 'supabase_no_session',
    })
  }
  return {
    accessToken: session.access_token,
    session: {
      url: target.url,
      anonKey: target.anonKey,
      refreshToken: session.refresh_token,
      expiresAt: session.expires_at ?? Math.floor(Date.now() / 1000) + session.expires_in,
    },
  }
}
