/** The audit log: who changed what in the caller's account, when and from where. */
import { Type } from '@sinclair/typebox'
import { Nullable, page, pageQuery, Timestamp } from './common.js'

export const AuditQuery = Type.Object({
  since: Type.Optional(
    Type.String({
      maxLength: 64,
      description: 'An ISO 8601 time, or a duration back from now (30m, 1h, 7d)',
    }),
  ),
  action: Type.Optional(
    Type.String({
      pattern: '^[a-z]+(\\.[a-z_]+)?$',
      maxLength: 64,
      description: 'An action (area.updated) or a resource: area, token, connection, user',
    }),
  ),
  ...pageQuery,
})

export const AuditEntrySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  action: Type.String({ description: '<resource>.<verb>, e.g. area.created, token.revoked' }),
  target: Nullable(Type.String({ description: '<kind>/<name>, e.g. area/issues-to-discord' })),
  metadata: Type.Unknown({ description: 'Details of the change (never a secret)' }),
  token: Nullable(Type.String({ description: 'The API token used (its name); null outside the API' })),
  address: Nullable(Type.String({ description: "The client's address as the server saw it" })),
  userAgent: Nullable(Type.String()),
  at: Timestamp,
})

export const AuditAnswer = page(AuditEntrySchema)
