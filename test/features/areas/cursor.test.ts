import { describe, expect, it } from 'vitest'
import {
  decodeLogCursor,
  decodeNameCursor,
  encodeCursor,
  encodeLogCursor,
} from '../../../src/features/areas/cursor.js'
import { parseSince } from '../../../src/features/areas/logs.js'

describe('page cursors', () => {
  it('give back what they were made from', () => {
    expect(decodeNameCursor(encodeCursor('my-area'))).toBe('my-area')
    const position = { detectedAt: '2025-01-31T09:00:00.123456Z', id: '0b6a7f4e-3c1d-4e5f-8a9b-0c1d2e3f4a5b' }
    expect(decodeLogCursor(encodeLogCursor(position))).toEqual(position)
  })

  it('refuse anything else as a cursor error', () => {
    const refusal = { issues: [{ path: '/query/cursor', message: 'is not a cursor from a previous page' }] }
    for (const cursor of ['%%%', encodeCursor(''), encodeCursor(42), encodeCursor('x'.repeat(64))]) {
      expect(() => decodeNameCursor(cursor)).toThrow(expect.objectContaining(refusal))
    }
    for (const value of [
      ['2025-01-31T09:00:00Z', 'x'],
      ['2025-01-31', '0b6a7f4e-3c1d-4e5f-8a9b-0c1d2e3f4a5b'],
      'x',
    ]) {
      expect(() => decodeLogCursor(encodeCursor(value))).toThrow(expect.objectContaining(refusal))
    }
  })
})

describe('parseSince', () => {
  const now = Date.parse('2025-01-31T12:00:00Z')

  it('reads a duration back from now, or an ISO 8601 time', () => {
    expect(parseSince('1h', now).toISOString()).toBe('2025-01-31T11:00:00.000Z')
    expect(parseSince('2025-01-30T09:00:00Z', now).toISOString()).toBe('2025-01-30T09:00:00.000Z')
  })

  it('refuses anything else, naming the query field', () => {
    expect(() => parseSince('yesterday', now)).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: '/query/since' })] }),
    )
  })
})
