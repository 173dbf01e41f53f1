/**
 * Secret params on their way in (docs/architecture.md, "Secret params"): a normalized AREA whose
 * placeholders (`<secret:…>`, from an exported file) are replaced by the secrets the stored AREA
 * holds under them, and whose document shows every secret as its placeholder. The document is
 * what is stored, hashed, exported and diffed; the params are what is sealed for the worker.
 */
import type { TSchema } from '@sinclair/typebox'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { canonicalHash } from '../../engine/canonical-json.js'
import { type Issue, ValidationError } from '../../engine/errors.js'
import type { Registry } from '../../engine/registry.js'
import {
  hasSecrets,
  mapSecrets,
  placeholderFingerprint,
  redactParams,
  restoreSecrets,
} from '../../engine/secret-params.js'
import type { JsonObject, JsonValue } from '../../engine/types.js'
import type { SecretBox } from '../../secrets/secret-box.js'
import type { AreaDocument } from '../../spec/document.js'
import type { NormalizedArea } from '../../spec/normalize.js'
import { findHeldSecrets } from '../../store/param-values.js'

export interface SecretParamsContext {
  registry: Registry
  secrets: SecretBox
}

/**
 * `area` with its secrets resolved and redacted. `existingId` is the stored AREA of that name,
 * whose secrets a placeholder may name; a placeholder it does not hold is a validation error.
 */
export async function protectSecrets(
  db: Kysely<Database>,
  ctx: SecretParamsContext,
  userId: string,
  area: NormalizedArea,
  existingId: string | undefined,
): Promise<NormalizedArea> {
  const actionSchema = ctx.registry.action(area.action.service, area.action.action)?.params
  const reactionSchemas = area.reactions.map((r) => ctx.registry.reaction(r.service, r.reaction)?.params)
  if (!hasSecrets(actionSchema) && !reactionSchemas.some(hasSecrets)) return area

  const nodes = [
    { schema: actionSchema, params: area.action.params, path: '/spec/action/params' },
    ...area.reactions.map((r, i) => ({
      schema: reactionSchemas[i],
      params: r.params,
      path: `${r.path}/params`,
    })),
  ]
  const placeholders = nodes.some((n) => n.schema && holdsPlaceholder(n.schema, n.params))
  // Secrets are opened only when the document names some by fingerprint.
  const held =
    placeholders && existingId !== undefined
      ? await findHeldSecrets(db, existingId, ctx.secrets)
      : new Map<string, JsonValue>()
  const issues: Issue[] = []
  const fingerprint = (text: string) => ctx.secrets.fingerprint(userId, text)
  const resolved = nodes.map((n) => {
    if (!n.schema) return { params: n.params, shown: n.params }
    const params = restoreSecrets(n.schema, n.params, held, n.path, issues)
    return { params, shown: redactParams(n.schema, params, fingerprint) }
  })
  if (issues.length) throw new ValidationError(issues)

  const [action, ...reactions] = resolved as [(typeof resolved)[number], ...typeof resolved]
  // The document's lists hold the main reactions, then the on_failure ones, as area.reactions.
  const mainCount = area.document.spec.reactions.length
  const onFailure = area.document.spec.on_failure
  const document: AreaDocument = {
    ...area.document,
    spec: {
      ...area.document.spec,
      action: { ...area.document.spec.action, params: action.shown },
      reactions: area.document.spec.reactions.map((r, i) => ({
        ...r,
        params: reactions[i]?.shown ?? r.params,
      })),
      ...(onFailure === undefined
        ? {}
        : {
            on_failure: onFailure.map((r, i) => ({
              ...r,
              params: reactions[mainCount + i]?.shown ?? r.params,
            })),
          }),
    },
  }
  return {
    ...area,
    action: { ...area.action, params: action.params },
    reactions: area.reactions.map((r, i) => ({ ...r, params: reactions[i]?.params ?? r.params })),
    document,
    specHash: canonicalHash(document),
  }
}

function holdsPlaceholder(schema: unknown, params: JsonObject): boolean {
  let found = false
  mapSecrets(schema, params, (secret) => {
    if (placeholderFingerprint(secret) !== undefined) found = true
    return secret
  })
  return found
}

/**
 * A stored document as shown. Documents applied since secret params exist show them redacted
 * already; one stored before (until it is applied again, which seals it) is redacted here, so no
 * read ever returns a secret in clear.
 */
export function shownDocument(ctx: SecretParamsContext, userId: string, spec: JsonObject): JsonObject {
  const doc = spec as unknown as Partial<AreaDocument>
  const action = doc.spec?.action
  if (!action) return spec
  const fingerprint = (text: string) => ctx.secrets.fingerprint(userId, text)
  const redact = (schema: TSchema | undefined, params: unknown) =>
    schema && params && typeof params === 'object' && hasSecrets(schema)
      ? redactParams(schema, params as JsonObject, fingerprint)
      : params
  const shown = {
    ...doc,
    spec: {
      ...doc.spec,
      action: {
        ...action,
        params: redact(ctx.registry.action(action.service, action.action)?.params, action.params),
      },
      reactions: (doc.spec?.reactions ?? []).map((r) => ({
        ...r,
        params: redact(ctx.registry.reaction(r.service, r.reaction)?.params, r.params),
      })),
    },
  }
  return shown as unknown as JsonObject
}
