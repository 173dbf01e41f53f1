/**
 * The audit log as the API reads it (`GET /v1/audit`, `area audit`): the caller's own rows
 * newest first. There is no way to name another user: the filter always starts from the caller.
 */
import { ValidationError } from '../../engine/errors.js'
import { parseSince, SinceError } from '../../lib/since.js'
import { type AuditFilter, type AuditRow, listAudit } from '../../store/audit.js'
import { decodeLogCursor, encodeLogCursor } from '../areas/cursor.js'
import type { FeatureContext } from '../context.js'

export interface AuditPageQuery {
  /** `1h`, `30m`, `7d` (that long ago), or an ISO 8601 time. */
  since?: string | undefined
  action?: string | undefined
  cursor?: string | undefined
  limit: number
}

export async function listAuditPage(
  ctx: Pick<FeatureContext, 'store'>,
  userId: string,
  query: AuditPageQuery,
): Promise<{ items: AuditRow[]; nextCursor: string | null }> {
  const filter: AuditFilter = { userId }
  if (query.since !== undefined) filter.since = sinceOf(query.since)
  if (query.action !== undefined) filter.action = query.action
  // Same (timestamp, uuid) cursor shape as log pages, checked the same way.
  const before = query.cursor === undefined ? undefined : decodeLogCursor(query.cursor)
  const page = await listAudit(ctx.store.db, filter, {
    before: before && { createdAt: before.detectedAt, id: before.id },
    limit: query.limit,
  })
  const next = page.next
  return {
    items: page.items,
    nextCursor: next ? encodeLogCursor({ detectedAt: next.createdAt, id: next.id }) : null,
  }
}

function sinceOf(text: string): Date {
  try {
    return parseSince(text)
  } catch (error) {
    if (!(error instanceof SinceError)) throw error
    throw new ValidationError([{ path: '/query/since', message: error.message }])
  }
}
