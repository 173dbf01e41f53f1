/**
 * `area replay` through the real binary, against `area serve` on the embedded defaults and on
 * Postgres + Redis. The key case: reaction A succeeded, reaction B failed for good against a
 * local target that now recovers; a replay sends only B, with the Idempotency-Key it had, and
 * never A. Also: bulk replays by filters with the cap, dry runs that change nothing, audit rows,
 * another user's event not found, and usage errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliSession, signedUpSession } from '../support/cli/cli-session.js'
import { startTestServer, type TestServer } from '../support/cli/test-server.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'

const relay = (sink: string) =>
  [
    'apiVersion: area/v1',
    'kind: Area',
    'metadata:',
    '  name: relay',
    'spec:',
    '  action:',
    '    service: webhook',
    '    action: received',
    '  reactions:',
    '    - id: a',
    '      service: http',
    '      reaction: request',
    `      params: { url: "${sink}/a", method: POST }`,
    '    - id: b',
    '      service: http',
    '      reaction: request',
    `      params: { url: "${sink}/b", method: POST }`,
    '',
  ].join('\n')

interface Replay {
  dryRun: boolean
  matched: number
  limit: number
  events: Array<{ id: string; kept: string[]; rerun: string[]; replay: number | null }>
}

const modes = ['embedded', 'postgres+redis'] as const

describe.each(modes)('area replay (real binary, %s)', { timeout: 300_000 }, (mode) => {
  let server: TestServer
  let sink: HttpSink
  let alice: CliSession
  let bob: CliSession
  /** The target answers 400 (a permanent failure) on /b while this holds. */
  let broken = true

  beforeAll(async () => {
    sink = await startHttpSink()
    sink.respond = (request) =>
      broken && request.path === '/b' ? { status: 400, body: { error: 'down' } } : undefined
    server = await startTestServer({ name: `cli-replay-${mode.replace('+', '-')}`, store: mode })
    ;[alice, bob] = await Promise.all([
      signedUpSession('replay-alice', server.url, 'alice@example.com', 'correct horse battery'),
      signedUpSession('replay-bob', server.url, 'bob@example.com', 'correct horse battery'),
    ])
    const file = await alice.write('relay.yaml', relay(sink.url))
    const applied = await alice.area(['apply', '-f', file])
    expect(applied.code, applied.stderr).toBe(0)
  })

  afterAll(async () => {
    await server?.stop()
    await sink?.close()
    await alice?.cleanup()
    await bob?.cleanup()
  })

  const fire = async (n: number) => {
    const { code, data, stderr } = await alice.json<{ hookLogId: string }>(
      ['run', 'relay', '--payload', '-'],
      {
        input: JSON.stringify({ n }),
      },
    )
    expect(code, stderr).toBe(0)
    return data.hookLogId
  }
  const statusOf = async (id: string) =>
    (await alice.json<{ status: string; replays?: number }>(['logs', id])).data
  const waitFor = async (id: string, status: string) => {
    const deadline = Date.now() + 60_000
    for (;;) {
      const event = await statusOf(id)
      if (event.status === status) return event
      if (Date.now() > deadline) throw new Error(`event ${id} is ${event.status}, not ${status}`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  /** The Idempotency-Key of each request the target got on `path` for this event. */
  const keysOf = (path: string, id: string) =>
    sink.requests
      .filter((r) => r.path === path && String(r.headers['idempotency-key']).startsWith(`${id}:`))
      .map((r) => r.headers['idempotency-key'])

  it('re-sends only the reaction that failed, with its original key; dry runs and others change nothing', async () => {
    broken = true
    const id = await fire(1)
    await waitFor(id, 'failed')
    expect(keysOf('/a', id)).toHaveLength(1)
    const [bKey] = keysOf('/b', id)
    expect(bKey).toMatch(new RegExp(`^${id}:[0-9a-f-]{36}$`))

    const dry = await alice.area(['replay', id, '--dry-run'])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('Would replay 1 of 1 matching event, revision current')
    expect(dry.stdout).toMatch(/runs again: b\s+kept: a/)
    const other = await bob.area(['replay', id])
    expect(other.code).toBe(1)
    expect(other.stderr).toContain(`no event with id ${id}`)
    expect(await statusOf(id)).toMatchObject({ status: 'failed' })
    expect(keysOf('/b', id)).toHaveLength(1)

    broken = false
    const { code, data } = await alice.json<Replay>(['replay', id])
    expect(code).toBe(0)
    expect(data).toMatchObject({
      dryRun: false,
      matched: 1,
      events: [{ id, kept: ['a'], rerun: ['b'], replay: 1 }],
    })
    await waitFor(id, 'done')
    // B again with the key it had; A never again.
    expect(keysOf('/b', id)).toEqual([bKey, bKey])
    expect(keysOf('/a', id)).toHaveLength(1)

    const logs = await alice.area(['logs', id])
    expect(logs.stdout).toMatch(/Status:\s+done \(attempt 2\/9, replay 1\)/)
    const audit = await alice.json<
      Array<{ action: string; target: string; metadata: { previousStatus: string } }>
    >(['audit', '--action', 'event'])
    expect(audit.data).toEqual([
      expect.objectContaining({
        action: 'event.replayed',
        target: `event/${id}`,
        metadata: expect.objectContaining({ previousStatus: 'failed', rerun: ['b'] }),
      }),
    ])
    expect((await bob.json<unknown[]>(['audit', '--action', 'event'])).data).toEqual([])
  })

  it('replays the events the filters select, up to --limit, and says how many matched', async () => {
    broken = true
    const ids = [await fire(2), await fire(3)]
    for (const id of ids) await waitFor(id, 'failed')

    const dry = await alice.json<Replay>([
      'replay',
      '--area',
      'relay',
      '--since',
      '1h',
      '--limit',
      '1',
      '--dry-run',
    ])
    expect(dry.data).toMatchObject({
      dryRun: true,
      matched: 2,
      limit: 1,
      events: [{ id: ids[0], replay: null }],
    })
    const text = await alice.area(['replay', '--area', 'relay', '--status', 'failed', '-n', '1', '--dry-run'])
    expect(text.stdout).toContain('Would replay 1 of 2 matching events, revision current (at most 1 a run')
    const bobs = await bob.json<Replay>(['replay', '--since', '1h'])
    expect(bobs.data).toMatchObject({ matched: 0, events: [] })
    const notHis = await bob.area(['replay', '--area', 'relay'])
    expect(notHis.code).toBe(1)
    expect(notHis.stderr).toContain('no AREA named "relay"')

    broken = false
    const bulk = await alice.json<Replay>([
      'replay',
      '--area',
      'relay',
      '--since',
      '1h',
      '--revision',
      'original',
    ])
    expect(bulk.data).toMatchObject({ matched: 2 })
    expect(bulk.data.events.map((e) => e.id)).toEqual(ids)
    for (const id of ids) {
      await waitFor(id, 'done')
      expect(keysOf('/a', id)).toHaveLength(1)
      const keys = keysOf('/b', id)
      expect(keys).toHaveLength(2)
      expect(keys[1]).toBe(keys[0])
    }
    expect((await alice.json<unknown[]>(['audit', '--action', 'event.replayed'])).data).toHaveLength(3)
  })

  it('refuses usage mistakes before sending anything', async () => {
    const [bare, both, notAnId, badSince, badRevision] = await Promise.all([
      alice.area(['replay']),
      alice.area(['replay', '0b5e7c1e-2f4a-4c3b-9d8e-6a1f2b3c4d5e', '--area', 'relay']),
      alice.area(['replay', 'relay']),
      alice.area(['replay', '--since', 'last week']),
      alice.area(['replay', '--area', 'relay', '--revision', 'latest']),
    ])
    for (const result of [bare, both, notAnId, badSince, badRevision])
      expect(result.code, result.stderr).toBe(3)
    expect(bare.stderr).toContain('an event id')
    expect(both.stderr).toContain('not both')
    expect(notAnId.stderr).toContain('is not an event id')
    expect(badSince.stderr).toContain('--since')
  })
})
