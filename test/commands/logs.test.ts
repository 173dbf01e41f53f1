/**
 * Reading the logs (issue 12, points 5 and 7) through the real binary against one embedded
 * `area serve`: a poll of a closed port shows as failing in `get`, `describe` and the log stream;
 * lines are aligned, carry the attempt and never repeat a state; `--status failed`; `logs
 * <event-id>` (and GET /v1/events/:id, another user's event a 404); `logs -f` exits 1 when the
 * server goes away. The daemon is stopped by the last test, so the order of the tests matters.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiUser, call, signup, waitFor } from '../support/api/client.js'
import { type CliSession, cliSession, webhookArea } from '../support/cli/cli-session.js'
import { cliBin, cliHint, repoRoot } from '../support/cli/run-cli.js'
import { startTestServer, type TestServer } from '../support/cli/test-server.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'

const SECRET = 'tok-very-secret-value-123'

let server: TestServer
let session: CliSession
let owner: ApiUser
let other: ApiUser
let sink: HttpSink
let closedPort: number
/** `area logs -f` of every AREA, started before the first one is applied. */
let fromStart: ReturnType<typeof follow>

/** The CLI as the owner (or as `user`). */
const area = (args: string[], user: ApiUser = owner) =>
  session.area(args, { env: { AREA_TOKEN: user.token } })

interface LogLine {
  id: string
  area: string
  kind: string
  status: string
  attempts: number
  maxAttempts: number
  error: string | null
}

const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogLine)

/** A port nothing listens on: taken, then given back. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** `area logs … -f` as a child process whose output the test reads as it comes. */
function follow(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [cliBin(), 'logs', ...args], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      AREA_CONFIG_DIR: session.configDir,
      AREA_API_URL: server.url,
      AREA_TOKEN: owner.token,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out = { stdout: '', stderr: '' }
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out.stdout += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    out.stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, out, exited }
}

beforeAll(async () => {
  server = await startTestServer({ name: 'cli-logs', store: 'embedded', startTimeoutMs: 180_000 })
  session = await cliSession('logs', server.url)
  owner = await signup(server.url, 'logs-owner@example.com')
  other = await signup(server.url, 'logs-other@example.com')
  sink = await startHttpSink()
  closedPort = await freePort()
  const file = await session.write(
    'areas.yaml',
    [
      'apiVersion: area/v1',
      'kind: Area',
      'metadata:',
      '  name: watch',
      'spec:',
      '  action:',
      '    service: http',
      '    action: json_changed',
      '    trigger:',
      '      polling:',
      '        interval: 5s',
      '    params:',
      `      url: http://127.0.0.1:${closedPort}/status.json`,
      '  reactions:',
      '    - id: ping',
      '      service: http',
      '      reaction: request',
      '      params:',
      `        url: ${sink.url}/unused`,
      '---',
      webhookArea('relay-with-long-name', {
        method: 'POST',
        url: `${sink.url}/hook`,
        headers: { 'x-token': SECRET },
        body: { text: '"order {{ trigger.order }}"' },
      }),
    ].join('\n'),
  )
  // The logs record a failing poll's first failure, then only changes: stream from before it.
  fromStart = follow(['-f', '-n', '0'])
  await waitFor(
    'the stream to start',
    async () => (fromStart.out.stderr.includes('Following') ? true : undefined),
    120_000,
  )
  const applied = await area(['apply', '-f', file])
  if (applied.code !== 0) throw new Error(`apply failed: ${applied.stderr}`)
}, 240_000)

afterAll(async () => {
  fromStart?.child.kill('SIGINT')
  await server?.stop()
  await sink?.close()
  await session?.cleanup()
})

describe('area logs, get and describe (real binary, embedded server)', { timeout: 300_000 }, () => {
  it('a poll of a closed port shows as failing in get, describe and the logs', async () => {
    await waitFor(
      'the poll to fail',
      async () => {
        const got = await call<{ trigger: { failure: unknown } }>(server.url, 'GET', '/v1/areas/watch', {
          token: owner.token,
        })
        return got.body.trigger.failure ? true : undefined
      },
      120_000,
    )
    const [get, describe, logs, failed] = await Promise.all([
      area(['get']),
      area(['describe', 'watch']),
      area(['logs', 'watch']),
      area(['logs', '--status', 'failed', '--json']),
    ])
    expect(get.code).toBe(0)
    expect(get.stdout).toMatch(/^NAME +ENABLED +ACTION +TRIGGER +STATUS +REACTIONS +UPDATED/)
    expect(get.stdout).toMatch(/\nwatch +yes +http\.json_changed +polling +failing +1 /)
    expect(get.stdout).toMatch(/\nrelay-with-long-name +yes +webhook\.received +webhook +active +1 /)

    expect(describe.code).toBe(0)
    expect(describe.stdout).toMatch(
      /Failing since \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ attempts?\): .*127\.0\.0\.1/,
    )

    expect(logs.code).toBe(0)
    expect(logs.stdout).toMatch(/\d\d:\d\d:\d\dZ {2}watch +poll failed {2}attempt 1\/8 +\S/)
    expect(logs.stdout).not.toContain('No events yet')

    const failures = jsonLines(failed.stdout)
    expect(failures.length).toBeGreaterThan(0)
    expect(failures.every((e) => e.status === 'failed')).toBe(true)
    expect(failures[0]).toMatchObject({ area: 'watch', kind: 'poll_failure', maxAttempts: 8 })
    expect(failures[0]?.error).toMatch(/127\.0\.0\.1/)

    // The stream shows them too, from the first failed attempt.
    await waitFor(
      'a failed poll on the stream',
      async () => (fromStart.out.stdout.includes('poll failed') ? true : undefined),
      120_000,
    )
    expect(fromStart.out.stdout).toMatch(/\d\d:\d\d:\d\dZ {2}watch +poll failed {2}attempt 1\/8 +\S/)
  })

  it('logs <event-id> shows the payload and each reaction’s params (secret redacted) and output', async () => {
    // The first delivery fails (retried), the second succeeds: the log has attempt 1 then 2.
    // Retry-After holds the retry for 3 s, so the stream (polling every 500 ms) sees attempt 1
    // waiting however loaded the machine is.
    sink.answers.push({ status: 503, body: { busy: true }, headers: { 'retry-after': '3' } })
    const followed = follow(['relay-with-long-name', '-f', '-n', '0'])
    await waitFor(
      'the stream to start',
      async () => (followed.out.stderr.includes('Following') ? true : undefined),
      120_000,
    )
    const payload = await session.write('event.json', JSON.stringify({ order: 42 }))
    const ran = await session.json<{ hookLogId: string }>(
      ['run', 'relay-with-long-name', '--payload', payload],
      {
        env: { AREA_TOKEN: owner.token },
      },
    )
    expect(ran.code).toBe(0)
    const id = ran.data.hookLogId
    try {
      await waitFor(
        'the event to finish on the stream',
        async () => (/ done /.test(followed.out.stdout) ? true : undefined),
        120_000,
      )
    } finally {
      followed.child.kill('SIGINT')
    }
    expect(await followed.exited).toBe(0)
    // One line per state: a retry is a new line (attempt 2, its own time), never a repeat.
    const streamed = followed.out.stdout.split('\n').filter(Boolean)
    const shown = followed.out.stdout
    expect(new Set(streamed).size, shown).toBe(streamed.length)
    expect(
      streamed.some((l) => /relay-with-long-name +\S+ +attempt 1\/8(\s|$)/.test(l)),
      shown,
    ).toBe(true)
    expect(streamed.at(-1)).toMatch(/relay-with-long-name +done {9}attempt 2\/8 +forward=success$/)

    const [human, json, list, mine, theirs, bad] = await Promise.all([
      area(['logs', id]),
      area(['logs', id, '--json']),
      area(['logs', '-n', '200']),
      call(server.url, 'GET', `/v1/events/${id}`, { token: owner.token }),
      call<{ code: string }>(server.url, 'GET', `/v1/events/${id}`, { token: other.token }),
      call<{ code: string }>(server.url, 'GET', '/v1/events/not-a-uuid', { token: owner.token }),
    ])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(`Event:     ${id}`)
    expect(human.stdout).toMatch(/Status: +done \(attempt 2\/8\)/)
    expect(human.stdout).toContain('"order": 42')
    expect(human.stdout).toMatch(/forward +success +attempt 2\/8/)
    expect(human.stdout).toContain('"text": "order 42"')
    expect(human.stdout).toMatch(/"x-token": "<secret:[0-9a-f]{12}>"/)
    expect(human.stdout).toContain('Output:')
    expect(human.stdout).not.toContain(SECRET)
    // The reaction really got the secret: only the log redacts it.
    expect(sink.requests.at(-1)?.headers['x-token']).toBe(SECRET)

    const detail = JSON.parse(json.stdout) as {
      payload: unknown
      executions: { ref: string; params: { body: unknown }; output: { status?: number } }[]
    }
    expect(detail.payload).toEqual({ order: 42 })
    expect(detail.executions[0]).toMatchObject({ ref: 'forward', params: { body: { text: 'order 42' } } })
    expect(detail.executions[0]?.output).toMatchObject({ status: 200, body: { ok: true } })
    expect(json.stdout).not.toContain(SECRET)

    // Aligned: the status column starts at the same place on every line.
    const lines = list.stdout.split('\n').filter(Boolean)
    const columns = new Set(lines.map((l) => l.search(/ (poll failed|done|failed|queued|processing) /)))
    expect(columns.size).toBe(1)
    expect(lines.some((l) => /relay-with-long-name +done {9}attempt 2\/8 +forward=success/.test(l))).toBe(
      true,
    )

    expect(mine.status).toBe(200)
    expect(theirs.status).toBe(404)
    expect(theirs.body.code).toBe('not_found')
    expect(bad.status).toBe(400)
    const [notTheirs, missing] = await Promise.all([
      area(['logs', id], other),
      area(['logs', '00000000-0000-4000-8000-000000000000']),
    ])
    expect(notTheirs.code).toBe(1)
    expect(notTheirs.stderr).toContain(`no event with id ${id}`)
    expect(missing.code).toBe(1)
  })

  it('logs -F (as -f) exits 1 with a clear message when the server goes away', async () => {
    const followed = follow(['-F', '-n', '0'])
    await waitFor(
      'the stream to start',
      async () => (followed.out.stderr.includes('Following') ? true : undefined),
      120_000,
    )
    await server.daemon.stop()
    expect(await followed.exited).toBe(1)
    expect(followed.out.stderr).toContain('closed the log stream')
    expect(followed.out.stderr).toContain(`run \`${cliHint()} logs --follow\` again`)
  })
})
