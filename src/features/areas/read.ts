/**
 * AREAs as the API reads them, always the caller's own: another user's AREA answers exactly what
 * a missing one does (AreaNotFoundError, a 404).
 */
import { ValidationError } from '../../engine/errors.js'
import { type LabelRequirement, LabelSelectorError, parseLabelSelector } from '../../spec/label-selector.js'
import {
  type AreaDetails,
  type AreaSummary,
  getAreaDetails,
  type LabelSelector,
  listAreas,
} from '../../store/area-queries.js'
import { AreaNotFoundError } from '../../store/errors.js'
import type { FeatureContext } from '../context.js'
import { decodeNameCursor, encodeCursor } from './cursor.js'
import { shownDocument } from './secret-params.js'

type ReadContext = Pick<FeatureContext, 'store' | 'registry' | 'secrets'>

/** The caller's AREA with its trigger's state and latest events. */
export async function areaDetails(ctx: ReadContext, userId: string, name: string): Promise<AreaDetails> {
  const details = await getAreaDetails(ctx.store.db, userId, name)
  if (!details) throw new AreaNotFoundError(name)
  return { ...details, spec: shownDocument(ctx, userId, details.spec) }
}

export interface AreaPageQuery {
  /** The previous page's `nextCursor`. */
  cursor: string | undefined
  limit: number
  /** `key=value`, or a bare `key` (any value); every one must match. */
  labels: readonly string[]
  /** kubectl syntax (src/spec/label-selector.ts); every requirement must hold. */
  labelSelector?: string
}

/** One page of the caller's AREAs in name order; `nextCursor` is set when more follow. */
export async function listAreaPage(
  ctx: ReadContext,
  userId: string,
  query: AreaPageQuery,
): Promise<{ items: AreaSummary[]; nextCursor: string | null }> {
  const { cursor } = query
  const page = await listAreas(ctx.store.db, userId, {
    after: cursor === undefined ? undefined : decodeNameCursor(cursor),
    limit: query.limit,
    labels: query.labels.map(parseLabel),
    selector: selectorOf(query.labelSelector, '/query/labelSelector'),
  })
  const items = page.items.map((item) => ({ ...item, spec: shownDocument(ctx, userId, item.spec) }))
  return { items, nextCursor: page.next === undefined ? null : encodeCursor(page.next) }
}

/** `key=value`, or a bare `key`. */
function parseLabel(text: string, index: number): LabelSelector {
  const at = text.indexOf('=')
  const key = at < 0 ? text : text.slice(0, at)
  if (!key)
    throw new ValidationError([{ path: `/query/label/${index}`, message: 'must be key=value or key' }])
  return at < 0 ? { key } : { key, value: text.slice(at + 1) }
}

/** A selector from a request, or a 400 naming the field and saying what is wrong. */
export function selectorOf(text: string | undefined, path: string): LabelRequirement[] {
  if (text === undefined) return []
  try {
    return parseLabelSelector(text)
  } catch (error) {
    if (!(error instanceof LabelSelectorError)) throw error
    throw new ValidationError([{ path, message: error.message }], error.message)
  }
}
