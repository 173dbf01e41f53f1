/**
 * The credentials `POST /v1/connections` accepts: the kind the service declares, and fields
 * checked and normalized by its declaration (src/engine/credentials.ts). Only declared fields
 * are kept.
 */
import {
  checkCredentials,
  connectionKinds,
  declarationOfKind,
  declaredCredentials,
  oauth2Kind,
} from '../../engine/credentials.js'
import type { ServiceDefinition } from '../../engine/define.js'
import { AreaError, ValidationError } from '../../engine/errors.js'
import type { JsonObject } from '../../engine/types.js'

export function checkNewCredentials(
  service: ServiceDefinition,
  kind: string,
  credentials: Readonly<Record<string, unknown>>,
): JsonObject {
  const declared = declaredCredentials(service)
  if (!declared) {
    throw new AreaError(
      'bad_request',
      `service "${service.id}" needs no connection: its actions and reactions take what they need as params`,
    )
  }
  const chosen = declarationOfKind(service, kind)
  if (!chosen) {
    const hint =
      kind === oauth2Kind && declared.oauth2
        ? ` (oauth2 connections are made in a browser: \`area connections add ${service.id} --web\`)`
        : ''
    const kinds = connectionKinds(service).filter((k) => k !== oauth2Kind)
    throw new ValidationError([
      {
        path: '/kind',
        message: `service "${service.id}" takes a connection of kind ${kinds.join(' or ')}, not ${kind}${hint}`,
      },
    ])
  }
  const checked = checkCredentials(chosen, credentials, '/credentials')
  if (!checked.ok) throw new ValidationError(checked.issues)
  return checked.value
}
