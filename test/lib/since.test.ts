import { describe, expect, it } from 'vitest'
import { parseSince, SinceError, sinceFlagValue } from '../../src/lib/since.js'

describe('since', () => {
  const now = Date.parse('2025-01-31T12:00:00Z')

  it('reads a duration back from now, or an ISO 8601 date or time', () => {
    expect(parseSince('1h', now).toISOString()).toBe('2025-01-31T11:00:00.000Z')
    expect(parseSince('7d', now).toISOString()).toBe('2025-01-24T12:00:00.000Z')
    expect(parseSince('2025-01-30T09:00:00Z', now).toISOString()).toBe('2025-01-30T09:00:00.000Z')
    expect(parseSince('2025-01-30', now).toISOString()).toBe('2025-01-30T00:00:00.000Z')
  })

  it('refuses anything else, saying which forms it takes', () => {
    expect(() => parseSince('yesterday', now)).toThrow(SinceError)
    expect(() => parseSince('yesterday', now)).toThrow(
      'must be a duration back from now (30m, 1h, 7d) or an ISO 8601 date or time (2025-01-31, 2025-01-31T09:00:00Z)',
    )
    expect(() => parseSince('1000000d', now)).toThrow(/is out of range: .*at most 20119d/)
  })

  it('names --since when the flag is wrong, and passes a right value on as given', async () => {
    await expect(sinceFlagValue('yesterday')).rejects.toThrow(
      /^--since "yesterday" must be a duration back from now \(30m, 1h, 7d\) or an ISO 8601 date/,
    )
    await expect(sinceFlagValue('30m')).resolves.toBe('30m')
  })
})
