/** Connections: what the API shows of them (never credentials) and what it accepts. */
import { Type } from '@sinclair/typebox'
import { credentialKindPattern } from '../engine/credentials.js'
import { Nullable, NullableTimestamp, Timestamp } from './common.js'

export const ConnectionName = Type.String({
  pattern: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$',
  description: 'Lowercase letters, digits and dashes; unique among your connections; AREAs refer to it',
})

export const ConnectionSchema = Type.Object({
  name: Type.String(),
  service: Type.String(),
  kind: Type.String({
    pattern: credentialKindPattern,
    description: 'A kind the service declares (`area services describe <service>`), or oauth2',
  }),
  status: Type.Union([Type.Literal('active'), Type.Literal('refresh_failed'), Type.Literal('revoked')]),
  statusDetail: Nullable(Type.String()),
  tokenExpiresAt: NullableTimestamp,
  createdAt: Timestamp,
})

export const CreateConnectionBody = Type.Object(
  {
    service: Type.String({ minLength: 1, maxLength: 100 }),
    name: Type.Optional(ConnectionName),
    kind: Type.String({
      pattern: credentialKindPattern,
      description:
        'The kind the service declares (`credentials.kind` of GET /v1/services/{service}); oauth2 connections are made through /v1/connections/{service}/authorize',
    }),
    credentials: Type.Object(
      {},
      {
        additionalProperties: true,
        description:
          'The fields the service declares (`credentials.fields` of GET /v1/services/{service}), e.g. token: { token }; smtp: { host, port?, secure?, user?, password?, from? }',
      },
    ),
  },
  { additionalProperties: false },
)

export const UpdateConnectionBody = Type.Object(
  {
    kind: Type.Optional(
      Type.String({
        pattern: credentialKindPattern,
        description:
          'Default: the kind the service declares; oauth2 connections are reconnected in a browser',
      }),
    ),
    credentials: Type.Object(
      {},
      {
        additionalProperties: true,
        description:
          'All the fields the service declares, as for POST /v1/connections: they replace the stored ones',
      },
    ),
  },
  { additionalProperties: false },
)

export const ConnectionNameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) })
export const ServiceParams = Type.Object({ service: Type.String({ minLength: 1, maxLength: 100 }) })

export const AuthorizeQuery = Type.Object({ name: Type.Optional(ConnectionName) })
export const AuthorizeAnswer = Type.Object({
  authorizeUrl: Type.String({ description: 'Open it in a browser to grant access' }),
  state: Type.String({ description: 'Opaque; the provider sends it back to the callback' }),
  name: Type.String({ description: 'The connection the callback will create or reconnect' }),
})

export const StartQuery = Type.Object({
  state: Type.Optional(Type.String({ maxLength: 4096 })),
})

/** The confirmation form the callback page posts. */
export const ConfirmForm = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 2048 })),
  state: Type.Optional(Type.String({ maxLength: 4096 })),
  token: Type.Optional(Type.String({ maxLength: 4096 })),
})

export const CallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 2048 })),
  state: Type.Optional(Type.String({ maxLength: 4096 })),
  error: Type.Optional(Type.String({ maxLength: 200 })),
  error_description: Type.Optional(Type.String({ maxLength: 1000 })),
})
