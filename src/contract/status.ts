/** `GET /v1/status`: the caller's account at a glance (`area status`). */
import { Type } from '@sinclair/typebox'

const Count = Type.Integer({ minimum: 0 })

export const StatusAnswer = Type.Object({
  areas: Type.Object({
    total: Count,
    enabled: Count,
    disabled: Count,
    failing: Type.Integer({
      minimum: 0,
      description: 'AREAs whose latest event failed or whose trigger is failing to poll',
    }),
  }),
  events24h: Type.Record(Type.String(), Count, {
    description:
      'Events detected in the last 24 hours, by status (received, queued, processing, done, failed, skipped)',
  }),
  connections: Count,
  queue: Type.Object({
    kind: Type.Union([Type.Literal('bullmq'), Type.Literal('memory')]),
    status: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
    jobs: Type.Optional(
      Type.Object(
        { waiting: Count, active: Count, delayed: Count, failed: Count },
        { description: "The server's queue, every account's jobs together" },
      ),
    ),
  }),
})
