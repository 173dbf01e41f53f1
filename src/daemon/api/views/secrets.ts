/** Secrets as the API shows them: names and dates, never a value. */
import type { Static } from '@sinclair/typebox'
import { iso } from '../../../contract/common.js'
import type { SecretSchema } from '../../../contract/secrets.js'
import type { SecretInfo } from '../../../features/secrets/secrets.js'

export function secretView(secret: SecretInfo): Static<typeof SecretSchema> {
  return { name: secret.name, createdAt: iso(secret.createdAt), updatedAt: iso(secret.updatedAt) }
}
