/** `area logs` lines: the change's time, aligned columns, the attempt, and no repeated state. */
import { describe, expect, it } from 'vitest'
import type { EventLog } from '../../src/lib/api-types.js'
import { colorsFor } from '../../src/lib/colors.js'
import { changedAt, LogPrinter, renderLogLine } from '../../src/lib/log-line.js'

const plain = colorsFor({}, {})

function event(over: Partial<EventLog> = {}): EventLog {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    area: 'relay',
    kind: 'event',
    status: 'queued',
    deliveryId: 'd1',
    detectedAt: '2026-12-04T10:00:00.000Z',
    finishedAt: null,
    attempts: 1,
    maxAttempts: 8,
    error: null,
    executions: [],
    ...over,
  }
}

describe('log lines', () => {
  it('carry the time of the latest change and the attempt out of the attempts', () => {
    const retried = event({
      status: 'processing',
      attempts: 2,
      executions: [
        {
          ref: 'forward',
          status: 'running',
          attempt: 2,
          startedAt: '2026-12-04T10:00:07.000Z',
          finishedAt: null,
          errorText: null,
          errorClass: null,
        },
      ],
    })
    expect(changedAt(retried)).toBe('2026-12-04T10:00:07.000Z')
    expect(renderLogLine(retried, plain)).toBe(
      '2026-12-04T10:00:07Z  relay         processing   attempt 2/8   forward=running',
    )
    expect(renderLogLine(event({ attempts: 0 }), plain)).toBe(
      '2026-12-04T10:00:00Z  relay         queued       attempt -',
    )
    // A replayed event counts its attempts on, against a fresh budget, and says which replay.
    expect(renderLogLine(event({ status: 'done', attempts: 2, maxAttempts: 9, replays: 1 }), plain)).toBe(
      '2026-12-04T10:00:00Z  relay         done         attempt 2/9 replay 1',
    )
  })

  it("show a for_each's items as ref[index] and a skipped reaction with its condition", () => {
    const execution = {
      attempt: 1,
      startedAt: '2026-12-04T10:00:07.000Z',
      finishedAt: '2026-12-04T10:00:07.000Z',
      errorClass: null,
    }
    const line = renderLogLine(
      event({
        status: 'done',
        executions: [
          {
            ...execution,
            ref: 'triage',
            item: null,
            status: 'skipped',
            errorText: 'when: trigger.n > 1 was false',
          },
          { ...execution, ref: 'label', item: 0, status: 'success', errorText: null },
          { ...execution, ref: 'label', item: 1, status: 'success', errorText: null },
          { ...execution, ref: 'label', item: null, status: 'success', errorText: null },
        ],
      }),
      plain,
    )
    expect(line).toBe(
      '2026-12-04T10:00:07Z  relay         done         attempt 1/8   triage=skipped (when: trigger.n > 1 was false) label[0]=success label[1]=success label=success',
    )
  })

  it('show a failed poll with its error', () => {
    const line = renderLogLine(
      event({ kind: 'poll_failure', status: 'failed', attempts: 3, error: 'GET http://x failed' }),
      plain,
    )
    expect(line).toBe('2026-12-04T10:00:00Z  relay         poll failed  attempt 3/8   GET http://x failed')
  })

  it('align the AREA column to the widest name and never print one state twice', () => {
    const printer = new LogPrinter(plain, false)
    const long = event({ id: '00000000-0000-4000-8000-000000000002', area: 'a-much-longer-area-name' })
    printer.fit([event(), long])
    const first = printer.line(event())
    expect(first).toBe('2026-12-04T10:00:00Z  relay                    queued       attempt 1/8')
    expect(printer.line(long)?.indexOf('queued')).toBe(first?.indexOf('queued'))
    // A new version that reads the same (a field not shown changed) is not printed again.
    expect(printer.line({ ...event(), deliveryId: 'other' })).toBeUndefined()
    expect(printer.line(event({ status: 'done', finishedAt: '2026-12-04T10:00:02.000Z' }))).toContain(
      '10:00:02Z',
    )
  })
})
