/**
 * Opaque page cursors: base64url JSON. Opaque so clients pass them back as they are and the
 * order key can change without breaking them; a cursor that does not decode is a 400.
 */
import { ValidationError } from '../../engine/errors.js'
import { namePattern } from '../../spec/document.js'
import type { LogPosition } from '../../store/logs.js'

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

function decode(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
}

function invalid(): ValidationError {
  return new ValidationError([{ path: '/query/cursor', message: 'is not a cursor from a previous page' }])
}

/** AREA pages are keyed on the name. */
export function decodeNameCursor(cursor: string): string {
  const value = decode(cursor)
  // Shaped like a name, so nothing a database cannot compare (a U+0000) reaches a query.
  if (typeof value !== 'string' || !areaName.test(value)) throw invalid()
  return value
}

const areaName = new RegExp(namePattern)
const exactTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Log pages are keyed on (detected_at, id); checked so a forged cursor cannot reach SQL badly typed. */
export function decodeLogCursor(cursor: string): LogPosition {
  const value = decode(cursor)
  if (!Array.isArray(value) || value.length !== 2) throw invalid()
  const [detectedAt, id] = value as unknown[]
  // Shaped right is not enough: month 13 or hour 25 would reach Postgres and fail there.
  if (typeof detectedAt !== 'string' || !exactTimestamp.test(detectedAt) || !isRealTime(detectedAt))
    throw invalid()
  if (typeof id !== 'string' || !uuid.test(id)) throw invalid()
  return { detectedAt, id }
}

/** The timestamp names an instant that exists (microseconds beyond JavaScript's milliseconds). */
function isRealTime(text: string): boolean {
  const millis = `${text.slice(0, 23)}Z`
  const time = Date.parse(millis)
  return !Number.isNaN(time) && new Date(time).toISOString() === millis
}

export function encodeLogCursor(position: LogPosition): string {
  return encodeCursor([position.detectedAt, position.id])
}
