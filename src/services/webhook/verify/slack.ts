/**
 * Slack signing secrets: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">`
 * with the time in `X-Slack-Request-Timestamp`, refused beyond five minutes.
 */
import type { HmacSettings } from './hmac.js'

export const slack: HmacSettings = {
  header: 'X-Slack-Signature',
  algorithm: 'sha256',
  encoding: 'hex',
  prefix: 'v0=',
  timestamp: { header: 'X-Slack-Request-Timestamp', format: 'v0:{timestamp}:{body}' },
}
