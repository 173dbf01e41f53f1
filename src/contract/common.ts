/** Schemas shared by every route: problems, timestamps, pages. */
import { type TSchema, Type } from '@sinclair/typebox'

export const IssueSchema = Type.Object({
  path: Type.String({ description: 'JSON pointer to the field at fault, e.g. /spec/reactions/0/params/url' }),
  message: Type.String(),
})

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'urn:area:problem:<code>' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'What went wrong and what to do, for people' }),
    code: Type.String({
      description: 'Stable machine-readable code, e.g. validation_failed, area_not_found',
    }),
    errors: Type.Optional(Type.Array(IssueSchema)),
  },
  { description: 'An RFC 9457 problem, sent as application/problem+json' },
)

/** Every route may answer a problem. */
export const problemResponses = { '4xx': ProblemSchema, '5xx': ProblemSchema } as const

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const Timestamp = Type.String({ format: 'date-time' })
export const NullableTimestamp = Nullable(Timestamp)

export const maxPageSize = 200
export const defaultPageSize = 50

export const pageQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'nextCursor of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxPageSize, default: defaultPageSize })),
}

export const page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Nullable(
      Type.String({ description: 'Pass as `cursor` for the next page; null on the last' }),
    ),
  })

export const iso = (date: Date): string => date.toISOString()
export const isoOrNull = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null)
