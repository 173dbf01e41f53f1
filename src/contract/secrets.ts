/** User secrets: what the API shows of them (names and dates, never a value) and what it accepts. */
import { Type } from '@sinclair/typebox'
import { MAX_SECRET_VALUE_LENGTH, SECRET_NAME_PATTERN, secretNameRule } from '../engine/secret-names.js'
import { Timestamp } from './common.js'

export const SecretSchema = Type.Object({
  name: Type.String({ pattern: SECRET_NAME_PATTERN }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})

/**
 * The name is checked against the pattern by the use case, whose message says the rule in words;
 * the schema only bounds its length.
 */
export const SecretNameParams = Type.Object({
  name: Type.String({
    minLength: 1,
    maxLength: 200,
    description: `The secret's name, ${secretNameRule}; AREAs read it as {{ secrets.NAME }}`,
  }),
})

export const PutSecretBody = Type.Object(
  {
    value: Type.String({
      minLength: 1,
      maxLength: MAX_SECRET_VALUE_LENGTH,
      description: 'The value, stored encrypted and never returned',
      writeOnly: true,
    }),
  },
  { additionalProperties: false },
)
