/** GitHub (and the many senders that copy it): `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`. */
import type { HmacSettings } from './hmac.js'

export const github: HmacSettings = {
  header: 'X-Hub-Signature-256',
  algorithm: 'sha256',
  encoding: 'hex',
  prefix: 'sha256=',
}
