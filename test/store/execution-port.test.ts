/**
 * The worker's recorder with reactions running together (store/executions.ts): a side effect
 * never starts before every success held before it is durable, even when another reaction's
 * `started` is carrying that success to the database at that moment.
 */
import type { Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/schema.js'
import type { LoadedReaction } from '../../src/engine/area.js'
import type { ExecutionWrite } from '../../src/store/execution-writer.js'
import { createExecutionPort } from '../../src/store/executions.js'

const reaction = (ref: string): LoadedReaction => ({
  id: `id-${ref}`,
  ref,
  position: 0,
  phase: 'main',
  service: 's',
  reaction: 'r',
  params: {},
  policy: { needs: [] },
})

/** A port whose writes are recorded in order; each write waits for `held` when given. */
function recordingPort(held?: Promise<void>) {
  const writes: ExecutionWrite[] = []
  const port = createExecutionPort({} as Kysely<Database>, {
    hookLogId: 'h',
    areaId: 'a',
    userId: 'u',
    areaActionId: 'aa',
    attempt: 1,
    writer: {
      async write(write) {
        writes.push(write)
        await held
      },
    },
  })
  return { port, writes }
}

describe('execution port with parallel reactions', () => {
  it("makes a dependent's side effect wait for the write carrying what it needs, whoever started it", async () => {
    let unblock: () => void = () => {}
    const blocked = new Promise<void>((resolve) => {
      unblock = resolve
    })
    const { port, writes } = recordingPort(blocked)
    await port.succeeded(reaction('a'), {}, { ok: true })
    const order: string[] = []
    // b's start takes a's success to the database; c's start finds nothing held, yet must wait.
    const b = port.started(reaction('b'), {}).then(() => order.push('b'))
    const c = port.started(reaction('c'), {}).then(() => order.push('c'))
    await new Promise((resolve) => setImmediate(resolve))
    expect(order).toEqual([])
    expect(writes.map((w) => w.rows.map((r) => `${r.reactionRef} ${r.status}`))).toEqual([['a success']])
    unblock()
    await Promise.all([b, c])
    expect(order.sort()).toEqual(['b', 'c'])
  })

  it('writes a for_each item with its index and the reaction as a whole at -1, and a skip with its reason', async () => {
    const { port, writes } = recordingPort()
    await port.started(reaction('each'), { n: 0 }, 0)
    await port.succeeded(reaction('each'), { n: 0 }, 'out-0', 0)
    await port.succeeded(reaction('each'), { items: 1 }, ['out-0'])
    await port.skipped(reaction('maybe'), 'when: false was false')
    await port.finish('done')
    const rows = writes.flatMap((w) => w.rows)
    expect(rows.map((r) => [r.reactionRef, r.itemIndex, r.status, r.error ?? null])).toEqual([
      ['each', 0, 'success', null],
      ['each', -1, 'success', null],
      ['maybe', -1, 'skipped', 'when: false was false'],
    ])
    // The reaction's own row starts when its first item did.
    expect(rows[1]?.startedAt).toEqual(rows[0]?.startedAt)
    expect(writes.at(-1)?.end?.end).toEqual({ kind: 'finish', status: 'done', error: undefined })
  })
})
