import { describe, expect, it } from 'vitest'
import { nextRunAfter, validateCron } from '../../src/engine/schedule.js'

const paris9 = { kind: 'cron', expression: '0 9 * * *', timezone: 'Europe/Paris' } as const

describe('nextRunAfter', () => {
  it('adds the interval to the previous slot', () => {
    const after = new Date('2025-01-01T00:00:00.250Z')
    expect(nextRunAfter({ kind: 'interval', seconds: 90 }, after).toISOString()).toBe(
      '2025-01-01T00:01:30.250Z',
    )
  })

  it('fires 0 9 * * * at 09:00 Paris time, winter (UTC+1) and summer (UTC+2)', () => {
    expect(nextRunAfter(paris9, new Date('2025-01-15T12:00:00Z')).toISOString()).toBe(
      '2025-01-16T08:00:00.000Z',
    )
    expect(nextRunAfter(paris9, new Date('2025-07-15T12:00:00Z')).toISOString()).toBe(
      '2025-07-16T07:00:00.000Z',
    )
  })

  it('stays at 09:00 local time across the spring and autumn DST changes', () => {
    // Clocks go forward on 2025-03-30 and back on 2025-10-26 in Paris.
    expect(nextRunAfter(paris9, new Date('2025-03-29T08:00:00Z')).toISOString()).toBe(
      '2025-03-30T07:00:00.000Z',
    )
    expect(nextRunAfter(paris9, new Date('2025-10-25T07:00:00Z')).toISOString()).toBe(
      '2025-10-26T08:00:00.000Z',
    )
  })

  it('is strictly after the given instant', () => {
    const slot = new Date('2025-03-30T07:00:00.000Z')
    expect(nextRunAfter(paris9, slot).toISOString()).toBe('2025-03-31T07:00:00.000Z')
    expect(nextRunAfter(paris9, new Date(slot.getTime() - 1)).toISOString()).toBe(slot.toISOString())
  })

  it('supports 6-field expressions with seconds', () => {
    const every10s = { kind: 'cron', expression: '*/10 * * * * *', timezone: 'UTC' } as const
    expect(nextRunAfter(every10s, new Date('2025-01-01T00:00:10Z')).toISOString()).toBe(
      '2025-01-01T00:00:20.000Z',
    )
  })

  it('runs a local time that the spring change skips once, right after the gap', () => {
    const at0230 = { kind: 'cron', expression: '30 2 * * *', timezone: 'Europe/Paris' } as const
    // 02:30 does not exist in Paris on 2025-03-30; 03:00 CEST is 01:00Z.
    const next = nextRunAfter(at0230, new Date('2025-03-29T12:00:00Z'))
    expect(next.toISOString()).toBe('2025-03-30T01:00:00.000Z')
    expect(nextRunAfter(at0230, next).toISOString()).toBe('2025-03-31T00:30:00.000Z')
  })

  it('throws when a cron expression never fires', () => {
    expect(() =>
      nextRunAfter(
        { kind: 'cron', expression: '0 0 30 2 *', timezone: 'UTC' },
        new Date('2025-01-01T00:00:00Z'),
      ),
    ).toThrow(/0 0 30 2 \*/)
  })
})

describe('validateCron', () => {
  it('accepts valid expressions', () => {
    expect(validateCron('0 9 * * *', 'Europe/Paris')).toBeUndefined()
    expect(validateCron('0 9 * * MON-FRI', 'America/New_York')).toBeUndefined()
    expect(validateCron('30 0 9 1 * *', 'UTC')).toBeUndefined()
  })

  it('names a bad expression and the expected form', () => {
    const wrongFields = validateCron('0 9 * *', 'UTC')
    expect(wrongFields).toContain('"0 9 * *"')
    expect(wrongFields).toMatch(/5 fields/)
    expect(validateCron('61 * * * *', 'UTC')).toMatch(/invalid cron expression "61 \* \* \* \*".*minute: 61/)
    expect(validateCron('* * * * * * *', 'UTC')).toMatch(/invalid cron expression/)
  })

  it('accepts the names ICU does not list among its zones: UTC, Etc/UTC, aliases', () => {
    for (const zone of ['UTC', 'Etc/UTC', 'GMT', 'US/Eastern', 'Europe/Kiev', 'Asia/Calcutta'])
      expect(validateCron('0 9 * * *', zone), zone).toBeUndefined()
  })

  it('names an unknown timezone', () => {
    expect(validateCron('0 9 * * *', 'Mars/Olympus')).toMatch(/unknown timezone "Mars\/Olympus".*IANA/)
    expect(validateCron('0 9 * * *', '')).toMatch(/unknown timezone/)
    expect(validateCron('0 9 * * *', 'europe/paris-ish')).toMatch(/unknown timezone/)
  })

  it('reports an expression that never fires', () => {
    expect(validateCron('0 0 30 2 *', 'UTC')).toBe('cron expression "0 0 30 2 *" never fires')
    expect(validateCron('0 9 31 4 *', 'Europe/Paris')).toBe('cron expression "0 9 31 4 *" never fires')
  })
})
