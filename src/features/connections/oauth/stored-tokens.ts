/** What an oauth2 connection stores (sealed): the tokens, never shown after the callback. */
import type { JsonObject } from '../../../engine/types.js'
import type { OAuthTokens } from './token-endpoint.js'

export function storedTokens(tokens: OAuthTokens, previousRefreshToken?: string): JsonObject {
  const refreshToken = tokens.refreshToken ?? previousRefreshToken
  return {
    accessToken: tokens.accessToken,
    tokenType: tokens.tokenType,
    ...(refreshToken ? { refreshToken } : {}),
    ...(tokens.scope !== undefined ? { scope: tokens.scope } : {}),
  }
}

/** Credentials without the tokens a previous authorization stored (a connection with its own app). */
export function withoutTokens(credentials: JsonObject): JsonObject {
  const { accessToken: _a, refreshToken: _r, tokenType: _t, scope: _s, ...rest } = credentials
  return rest
}
