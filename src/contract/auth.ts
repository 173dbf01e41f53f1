/** Accounts, sessions and API tokens. */
import { Type } from '@sinclair/typebox'
import { Nullable, NullableTimestamp, Timestamp } from './common.js'

export const Email = Type.String({ format: 'email', maxLength: 254 })
export const Password = Type.String({
  minLength: 8,
  // argon2 hashes whatever it gets; a bound keeps one request from costing much.
  maxLength: 1024,
  description: 'At least 8 characters',
})
export const TokenName = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$',
  description: 'Letters, digits, dot, dash and underscore; unique among your live tokens',
})

export const UserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  displayName: Nullable(Type.String()),
  createdAt: Timestamp,
})

export const SignupBody = Type.Object(
  {
    email: Email,
    password: Password,
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    tokenName: Type.Optional(TokenName),
  },
  { additionalProperties: false },
)

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    tokenName: Type.Optional(TokenName),
  },
  { additionalProperties: false },
)

export const SessionAnswer = Type.Object({
  user: UserSchema,
  token: Type.String({ description: 'The API token; shown this once, store it (area login does)' }),
  tokenName: Type.String(),
  expiresAt: NullableTimestamp,
})

export const TokenInfoSchema = Type.Object({
  name: Type.String(),
  createdAt: Timestamp,
  expiresAt: NullableTimestamp,
  lastUsedAt: NullableTimestamp,
  expired: Type.Boolean(),
  current: Type.Boolean({ description: 'The token this request was made with' }),
})

export const MeAnswer = Type.Object({ user: UserSchema, currentToken: TokenInfoSchema })

export const CreateTokenBody = Type.Object(
  {
    name: TokenName,
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
)

export const CreatedTokenAnswer = Type.Object({
  name: Type.String(),
  token: Type.String({ description: 'Shown this once' }),
  createdAt: Timestamp,
  expiresAt: NullableTimestamp,
})

export const TokenNameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) })
