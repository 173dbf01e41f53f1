/** `area logs <event-id>` for people: skipped reactions with their condition, for_each items by index. */
import { describe, expect, it } from 'vitest'
import { colorsFor } from '../../src/lib/colors.js'
import { type EventDetail, renderEventDetail } from '../../src/lib/event-detail.js'

const plain = colorsFor({}, {})
const execution = {
  attempt: 1,
  startedAt: '2026-12-04T10:00:07.000Z',
  finishedAt: '2026-12-04T10:00:07.000Z',
  errorClass: null,
  errorText: null,
  params: null,
  output: null,
}

describe('event detail', () => {
  it('shows a skipped reaction with its condition and no params, and each for_each item by index', () => {
    const event: EventDetail = {
      id: '00000000-0000-4000-8000-000000000001',
      area: 'triage',
      kind: 'event',
      status: 'done',
      deliveryId: 'd1',
      detectedAt: '2026-12-04T10:00:00.000Z',
      finishedAt: '2026-12-04T10:00:08.000Z',
      attempts: 1,
      maxAttempts: 8,
      error: null,
      payload: { n: 1 },
      executions: [
        {
          ...execution,
          ref: 'maybe',
          item: null,
          status: 'skipped',
          errorText: 'when: trigger.n > 1 was false',
        },
        {
          ...execution,
          ref: 'label',
          item: 0,
          status: 'success',
          params: { name: 'bug' },
          output: { ok: true },
        },
      ],
    }
    const text = renderEventDetail(event, plain)
    expect(text).toContain(
      '  maybe  skipped  attempt 1/8\n  Skipped: when: trigger.n > 1 was false\n  label item 0  success',
    )
    expect(text.split('Skipped:')[1]).not.toContain('Params:\n    null')
  })
  it("counts each reaction's attempts against its own limit when the server sends it", () => {
    const event: EventDetail = {
      id: '00000000-0000-4000-8000-000000000002',
      area: 'relay',
      kind: 'event',
      status: 'failed',
      deliveryId: 'd2',
      detectedAt: '2026-12-04T10:00:00.000Z',
      finishedAt: '2026-12-04T10:00:30.000Z',
      attempts: 3,
      maxAttempts: 3,
      error: 'b: 503',
      payload: {},
      executions: [
        { ...execution, ref: 'a', item: null, status: 'success', maxAttempts: 8 },
        { ...execution, attempt: 3, ref: 'b', item: null, status: 'failed', maxAttempts: 3 },
        // From a server that sends no limit per reaction: the event's.
        { ...execution, ref: 'c', item: null, status: 'skipped', errorText: 'when: false' },
      ],
    }
    const text = renderEventDetail(event, plain)
    expect(text).toContain('Status:    failed (attempt 3/3)')
    expect(text).toContain('  a  success  attempt 1/8')
    expect(text).toContain('  b  failed  attempt 3/3')
    expect(text).toContain('  c  skipped  attempt 1/3')
  })
})
