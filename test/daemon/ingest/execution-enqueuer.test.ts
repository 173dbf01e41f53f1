import { describe, expect, it } from 'vitest'
import { createExecutionEnqueuer } from '../../../src/daemon/ingest/execution-enqueuer.js'
import type { ExecutionJobData } from '../../../src/daemon/queue/types.js'
import type { Logger } from '../../../src/engine/types.js'

const job = (n: number): ExecutionJobData => ({ hookLogId: `log-${n}`, areaActionId: 'action' })

function recordingLogger() {
  const lines: string[] = []
  const logger: Logger = {
    debug: () => {},
    info: (_o, msg) => lines.push(`info ${msg}`),
    warn: (_o, msg) => lines.push(`warn ${msg}`),
    error: (_o, msg) => lines.push(`error ${msg}`),
  }
  return { logger, lines }
}

describe('execution enqueuer', () => {
  it('coalesces jobs pushed while an enqueue is running into the next bulk', async () => {
    const bulks: string[][] = []
    let release: () => void = () => {}
    const { logger } = recordingLogger()
    const enqueuer = createExecutionEnqueuer({
      logger,
      enqueue: (jobs) => {
        bulks.push(jobs.map((j) => j.hookLogId))
        return bulks.length === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()
      },
    })
    enqueuer.push([job(1)])
    enqueuer.push([job(2), job(3)])
    enqueuer.push([job(4)])
    release()
    await enqueuer.drain()
    expect(bulks).toEqual([['log-1'], ['log-2', 'log-3', 'log-4']])
  })

  it('drops jobs it cannot enqueue, logging once per outage', async () => {
    const { logger, lines } = recordingLogger()
    let down = true
    const enqueued: string[] = []
    const enqueuer = createExecutionEnqueuer({
      logger,
      maxBulk: 1,
      enqueue: async (jobs) => {
        if (down) throw new Error('Redis at redis://127.0.0.1:1 is unreachable')
        enqueued.push(...jobs.map((j) => j.hookLogId))
      },
    })
    enqueuer.push([job(1), job(2), job(3)])
    await enqueuer.drain()
    expect(lines).toEqual([
      'warn webhook ingest: could not enqueue committed events; the sweeper will enqueue them',
    ])
    down = false
    enqueuer.push([job(4)])
    await enqueuer.drain()
    expect(enqueued).toEqual(['log-4'])
    expect(lines.at(-1)).toBe('info webhook ingest: enqueueing works again')
  })

  it('holds at most maxPending jobs and leaves the rest to the sweeper', async () => {
    const { logger, lines } = recordingLogger()
    let release: () => void = () => {}
    const enqueued: string[] = []
    const enqueuer = createExecutionEnqueuer({
      logger,
      maxPending: 2,
      enqueue: (jobs) => {
        enqueued.push(...jobs.map((j) => j.hookLogId))
        return enqueued.length === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()
      },
    })
    enqueuer.push([job(1)])
    enqueuer.push([job(2), job(3), job(4)])
    release()
    await enqueuer.drain()
    expect(enqueued).toEqual(['log-1', 'log-2', 'log-3'])
    expect(lines).toEqual(['warn webhook ingest: enqueue backlog full; the sweeper will enqueue the rest'])
  })
})
