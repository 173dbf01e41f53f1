/**
 * A user's secrets (`area secrets`, /v1/secrets): set (create or replace), list (names and dates,
 * never a value) and remove. Each change is one transaction with its audit row; the value is
 * sealed before it reaches the store and never comes back out of the API. The worker reads them
 * (store/user-secrets.ts, openUserSecrets) when it renders `{{ secrets.NAME }}`.
 */
import type { LimitsSettings } from '../../daemon/config-limits.js'
import { AreaError, ValidationError } from '../../engine/errors.js'
import { isSecretName, secretNameRule } from '../../engine/secret-names.js'
import { recordAudit } from '../../store/audit.js'
import {
  deleteSecret,
  listSecrets as listStored,
  putSecret,
  type SecretInfo,
} from '../../store/user-secrets.js'
import { QuotaExceededError } from '../areas/quotas.js'
import type { FeatureContext } from '../context.js'

export type { SecretInfo } from '../../store/user-secrets.js'

type Context = Pick<FeatureContext, 'store' | 'secrets'> & {
  config: { limits: Pick<LimitsSettings, 'maxSecretsPerUser'> }
}

export function listSecrets(ctx: Pick<FeatureContext, 'store'>, userId: string): Promise<SecretInfo[]> {
  return listStored(ctx.store.db, userId)
}

export async function setSecret(
  ctx: Context,
  userId: string,
  name: string,
  value: string,
): Promise<{ created: boolean; secret: SecretInfo }> {
  checkName(name)
  if (value === '') {
    throw new ValidationError(
      [{ path: '/value', message: 'must not be empty' }],
      'the secret value is empty: give the value to store',
    )
  }
  const max = ctx.config.limits.maxSecretsPerUser
  return ctx.store.db.transaction().execute(async (trx) => {
    const put = await putSecret(trx, { userId, name, valueEncrypted: ctx.secrets.seal(value), max })
    if (put.outcome === 'full') {
      throw new QuotaExceededError(
        `you have ${max} secrets, the limit per user (AREA_MAX_SECRETS_PER_USER): remove one first with \`area secrets remove <name>\`, or ask the operator to raise the limit`,
      )
    }
    await recordAudit(trx, {
      userId,
      action: put.outcome === 'created' ? 'secret.created' : 'secret.updated',
      target: `secret/${name}`,
    })
    return { created: put.outcome === 'created', secret: put.secret }
  })
}

/**
 * Removes a secret. AREAs that read it are not checked (their params are templates): their next
 * run fails saying which secret to set.
 */
export async function removeSecret(ctx: Pick<FeatureContext, 'store'>, userId: string, name: string) {
  checkName(name)
  await ctx.store.db.transaction().execute(async (trx) => {
    if (!(await deleteSecret(trx, userId, name))) throw secretNotFound(name)
    await recordAudit(trx, { userId, action: 'secret.deleted', target: `secret/${name}` })
  })
}

function checkName(name: string): void {
  if (isSecretName(name)) return
  throw new ValidationError(
    [{ path: '/name', message: `"${name}" is not a secret name: a name is ${secretNameRule}` }],
    `"${name}" is not a secret name: ${secretNameRule}`,
  )
}

function secretNotFound(name: string): AreaError {
  return new AreaError('secret_not_found', `you have no secret named ${name} (see \`area secrets list\`)`)
}
