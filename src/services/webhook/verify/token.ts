/**
 * The shared-token scheme: the sender sends the secret itself, in a header (after an optional
 * prefix such as `Bearer `) or in a query parameter. Weaker than a signature (the body is not
 * covered and the token travels with every request), but all some senders can do; GitLab's
 * `X-Gitlab-Token` is this scheme.
 */
import type { WebhookVerdict } from '../../../engine/define.js'
import {
  ACCEPT,
  header,
  noSecret,
  queryValue,
  refuse,
  type SignedRequest,
  sameText,
} from './signed-request.js'

export type TokenSettings = { header: string; prefix?: string } | { query: string }

/** Without a header or query parameter named: `Authorization: Bearer <token>`. */
export const DEFAULT_TOKEN_SETTINGS: TokenSettings = { header: 'Authorization', prefix: 'Bearer ' }

export function verifyToken(
  settings: TokenSettings,
  secret: string | undefined,
  request: SignedRequest,
): WebhookVerdict {
  const where = 'query' in settings ? `query parameter ${settings.query}` : `${settings.header} header`
  const raw = 'query' in settings ? queryValue(request, settings.query) : header(request, settings.header)
  if (!raw) return refuse(`missing ${where}: it must hold the hook's shared token`)
  if (!secret) return noSecret
  const prefix = 'query' in settings ? '' : (settings.prefix ?? '')
  const given = raw.startsWith(prefix) ? raw.slice(prefix.length) : undefined
  if (given === undefined || !sameText(given, secret))
    return refuse(`the ${where} does not hold the hook's shared token`)
  return ACCEPT
}
