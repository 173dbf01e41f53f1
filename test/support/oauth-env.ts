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
