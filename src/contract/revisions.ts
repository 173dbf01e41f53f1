/** AREA revisions: `area history` and `area rollback`. */
import { Type } from '@sinclair/typebox'
import { BatchAnswer } from './areas.js'
import { Nullable, Timestamp } from './common.js'

export const RevisionSchema = Type.Object({
  revision: Type.Integer({ minimum: 1 }),
  appliedAt: Timestamp,
  appliedBy: Nullable(Type.String({ description: 'The API token that applied it; null if unknown' })),
  changes: Type.Array(Type.String(), {
    description: 'Top-level parts changed from the revision before (description, action, reactions, …)',
  }),
  current: Type.Boolean({ description: 'The revision the AREA stands at' }),
  spec: Type.Unknown({ description: 'The document as applied, secrets as <secret:…> placeholders' }),
})

export const RevisionsAnswer = Type.Object({ items: Type.Array(RevisionSchema) })

export const RollbackBody = Type.Object(
  {
    to: Type.Optional(
      Type.Integer({ minimum: 1, description: 'The revision; default: the one before the current' }),
    ),
    dryRun: Type.Optional(Type.Boolean({ description: 'Answer what would change; write nothing' })),
  },
  { additionalProperties: false },
)

export const RollbackAnswer = Type.Object({
  ...BatchAnswer.properties,
  revision: Type.Integer({ description: 'The revision rolled back to' }),
})
