import { describe, expect, it } from 'vitest'
import type { ActionDefinition, PollingHandler } from '../../../src/engine/define.js'
import { validateParams } from '../../../src/engine/params.js'
import { validateCron } from '../../../src/engine/schedule.js'
import { timer } from '../../../src/services/timer/index.js'
import { expectDeclaredEvent } from '../../support/services/declared-shape.js'
import { pollContext } from '../../support/services/handler-context.js'

function action(id: string): ActionDefinition & { polling: PollingHandler<Record<string, unknown>> } {
  const found = timer.actions.find((a) => a.id === id)
  if (!found?.polling) throw new Error(`timer.${id} has no polling handler`)
  return found as ActionDefinition & { polling: PollingHandler<Record<string, unknown>> }
}

const every = action('every')
const cron = action('cron')

describe('timer service', () => {
  it('needs no connection and declares every and cron', () => {
    expect(timer.id).toBe('timer')
    expect(timer.auth.kind).toBe('none')
    expect(timer.actions.map((a) => a.id)).toEqual(['every', 'cron'])
  })
})

describe('timer.every', () => {
  it('takes its schedule from the interval param and fires from the first poll', () => {
    expect(every.polling.schedule?.({ interval: '1h30m' })).toEqual({ kind: 'interval', seconds: 5400 })
    expect(every.polling.schedule?.({})).toEqual({ kind: 'interval', seconds: 3600 })
    expect(every.polling.firstPoll).toBe('fire')
    expect(every.polling.minIntervalSeconds).toBe(1)
  })

  it('returns one item keyed by the scheduled slot', async () => {
    const scheduledAt = new Date('2025-05-01T10:00:30.000Z')
    const before = Date.now()
    const result = await every.polling.poll(pollContext({ interval: '30s' }, { scheduledAt }))
    expect(result.items).toHaveLength(1)
    const [item] = result.items
    expect(item?.key).toBe('2025-05-01T10:00:30.000Z')
    expect(item?.event).toMatchObject({ scheduled_at: '2025-05-01T10:00:30.000Z', interval_seconds: 30 })
    expect(Date.parse(String(item?.event.fired_at))).toBeGreaterThanOrEqual(before)
    expectDeclaredEvent('timer', 'every', item?.event)
  })

  it('gives the same key for the same slot, so a retried poll is deduplicated', async () => {
    const scheduledAt = new Date('2025-05-01T10:00:00.000Z')
    const first = await every.polling.poll(pollContext({ interval: '5m' }, { scheduledAt }))
    const again = await every.polling.poll(pollContext({ interval: '5m' }, { scheduledAt }))
    expect(again.items[0]?.key).toBe(first.items[0]?.key)
  })

  it('schema refuses intervals below 1s, bad forms and unknown fields', () => {
    const check = (params: Record<string, unknown>) =>
      validateParams(every.params, params as never, '/p', 'run')
    expect(check({ interval: '30s' }).ok).toBe(true)
    expect(check({}).ok).toBe(true)
    for (const interval of ['0s', '30', '1.5h', 'soon', '']) expect(check({ interval }).ok).toBe(false)
    expect(check({ interval: '5m', every: '5m' }).ok).toBe(false)
  })

  it('schema carries descriptions, a default and examples', () => {
    const interval = every.params.properties.interval as Record<string, unknown>
    expect(interval.description).toEqual(expect.any(String))
    expect(interval.default).toBe('1h')
    expect(interval.examples).toContain('30s')
  })
})

describe('timer.cron', () => {
  it('takes a cron schedule in the given timezone, UTC by default', () => {
    expect(cron.polling.schedule?.({ expression: ' 0 9 * * * ', timezone: 'Europe/Paris' })).toEqual({
      kind: 'cron',
      expression: '0 9 * * *',
      timezone: 'Europe/Paris',
    })
    expect(cron.polling.schedule?.({ expression: '0 9 * * *' })).toMatchObject({ timezone: 'UTC' })
    expect(cron.polling.firstPoll).toBe('fire')
  })

  it('returns one item per slot with the local time of the slot', async () => {
    const scheduledAt = new Date('2025-03-31T07:00:00.000Z')
    const result = await cron.polling.poll(
      pollContext({ expression: '0 9 * * *', timezone: 'Europe/Paris' }, { scheduledAt }),
    )
    expect(result.items).toHaveLength(1)
    expect(result.items[0]?.key).toBe('2025-03-31T07:00:00.000Z')
    expect(result.items[0]?.event).toMatchObject({
      scheduled_at: '2025-03-31T07:00:00.000Z',
      local_time: '2025-03-31T09:00:00+02:00',
      expression: '0 9 * * *',
      timezone: 'Europe/Paris',
    })
    expectDeclaredEvent('timer', 'cron', result.items[0]?.event)
  })

  it('writes a zero offset as +00:00', async () => {
    const result = await cron.polling.poll(pollContext({ expression: '0 9 * * *' }))
    expect(result.items[0]?.event.local_time).toBe('2025-01-01T09:00:00+00:00')
  })

  it('schema refuses obviously malformed expressions; validateCron explains the rest', () => {
    const check = (params: Record<string, unknown>) =>
      validateParams(cron.params, params as never, '/p', 'run')
    expect(check({ expression: '0 9 * * *' }).ok).toBe(true)
    expect(check({ expression: '@daily', timezone: 'Europe/Paris' }).ok).toBe(true)
    expect(check({ expression: 'every day' }).ok).toBe(false)
    expect(check({}).ok).toBe(false)
    expect(check({ expression: '0 9 * * *', tz: 'UTC' }).ok).toBe(false)
    expect(validateCron('0 25 * * *', 'UTC')).toMatch(/hour: 25/)
  })
})
