import { describe, expect, it } from 'vitest'
import {
  decodeLogCursor,
  decodeNameCursor,
  encodeCursor,
  encodeLogCursor,
} from '../../../src/features/areas/cursor.js'

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
