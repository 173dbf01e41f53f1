/** Standard Webhooks, the default scheme: the check itself is in ../standard-webhooks.ts. */
import { verifyStandardWebhook } from '../standard-webhooks.js'
import { header, type SignedRequest } from './signed-request.js'

export function verifyStandard(secret: string | undefined, request: SignedRequest) {
  const signature = request.headers['webhook-signature']
  return verifyStandardWebhook(
    secret,
    {
      id: header(request, 'webhook-id'),
      timestamp: header(request, 'webhook-timestamp'),
      // A repeated header is a list like the space-separated one.
      signature: Array.isArray(signature) ? signature.join(' ') : signature,
    },
    request.rawBody,
    request.now,
  )
}
