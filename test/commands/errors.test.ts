/**
 * Errors for people, through the real binary (issue 12, point 8): every problem of a file in one
 * run and in plain words; a server that is not area named as such; `--since` named; start-up
 * errors that say which setting, where and what to do; Ctrl-C or Ctrl-D at a prompt exits 130
 * quietly (under a pseudo-terminal).
 */
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliInPty } from '../support/cli/pty.js'
import { cliHint, runCli } from '../support/cli/run-cli.js'
import { freePort } from '../support/redis.js'

let dir: string
let other: Server
let otherUrl: string
/** What the server that is not area was asked. */
const asked: string[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'area-cli-errors-'))
  // Some other JSON API: it answers 200 with a shape of its own, and no x-area-version; and as
  // a proxy whose upstream is down, a 502 page for /v1/me.
  other = createServer((req, res) => {
    asked.push(req.url ?? '')
    if (req.url?.startsWith('/v1/me')) res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502</h1>')
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}')
  })
  other.listen(0, '127.0.0.1')
  await once(other, 'listening')
  otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}`
})

afterAll(async () => {
  other?.close()
  await rm(dir, { recursive: true, force: true })
})

const env = (extra: Record<string, string> = {}) => ({ AREA_CONFIG_DIR: join(dir, 'config'), ...extra })

describe('errors for people (real binary)', { timeout: 240_000 }, () => {
  it('reports every problem of a file in one run, in plain words, with file:line:col', async () => {
    const file = join(dir, 'bad.yaml')
    await writeFile(
      file,
      [
        'apiVersion: area/v2',
        'kind: Area',
        'metadata:',
        '  name: demo',
        '  descrption: x',
        'spec:',
        '  action:',
        '    service: timer',
        '    action: every',
        '    trigger: { polling: { interval: "5" } }',
        '    params: { interval: 5m }',
        '  reactions:',
        '    - id: ping',
        '      service: htp',
        '      reaction: request',
        '',
      ].join('\n'),
    )
    const result = await runCli(['validate', '-f', file], { env: env() })
    const output = `${result.stdout}${result.stderr}`
    expect(result.code).toBe(3)
    expect(output).toContain(
      `${file}:1:13: /apiVersion: must be a version this area reads (area/v1), not "area/v2"`,
    )
    expect(output).toContain(
      `${file}:5:3: /metadata/descrption: is not a known field; did you mean "description"?`,
    )
    expect(output).toContain(
      `${file}:10:37: /spec/action/trigger/polling/interval: must be a duration such as 30s, 5m or 1h30m`,
    )
    // A schema problem no longer hides the registry's: the service typo is in the same run.
    expect(output).toContain(
      `${file}:14:16: /spec/reactions/0/service: unknown service "htp"; did you mean "http"?`,
    )
    expect(output).toContain('4 problems')
    expect(output).not.toMatch(/must match|anyOf|constant|\\d/)
  })

  it('says a server that is not area is not, and names --since before asking anything', async () => {
    const [get, logs, json, since, whoami] = await Promise.all([
      runCli(['get', '--api-url', otherUrl], { env: env({ AREA_TOKEN: 'area_x' }) }),
      runCli(['logs', '--api-url', otherUrl], { env: env({ AREA_TOKEN: 'area_x' }) }),
      runCli(['logs', '--api-url', otherUrl, '--json'], { env: env({ AREA_TOKEN: 'area_x' }) }),
      runCli(['logs', '--since', 'yesterday', '--api-url', otherUrl], { env: env({ AREA_TOKEN: 'area_x' }) }),
      runCli(['whoami', '--api-url', otherUrl], { env: env({ AREA_TOKEN: 'area_x' }) }),
    ])
    for (const result of [get, logs]) {
      expect(result.code, result.stderr).toBe(1)
      expect(result.stderr).toContain(
        `${otherUrl} answered but is not an area server (HTTP 200, application/json, no x-area-version header)`,
      )
      expect(result.stderr).toContain('--api-url or AREA_API_URL')
      expect(result.stderr).not.toContain('is not iterable')
    }
    expect(JSON.parse(json.stderr.trim())).toMatchObject({ error: { code: 'not_area_server' } })
    expect(whoami.code, whoami.stderr).toBe(1)
    expect(whoami.stderr).toContain(
      'is not an area server (HTTP 502, text/html, no x-area-version header); if a proxy stands in front of area, area behind it is not answering',
    )

    expect(since.code).toBe(3)
    expect(since.stderr).toContain(
      'Error: --since "yesterday" must be a duration back from now (30m, 1h, 7d) or an ISO 8601 date or time (2025-01-31, 2025-01-31T09:00:00Z)',
    )
    expect(since.stderr).toContain(`See \`${cliHint()} logs --help\`.`)
    expect(since.stderr).not.toContain('Parsing --since')
    expect(asked.some((url) => url.includes('since='))).toBe(false)
  })

  it('names the setting and the host:port tried when Postgres or Redis cannot be reached, never the password', async () => {
    const closed = await freePort()
    const common = { AREA_ENCRYPTION_KEY: randomBytes(32).toString('base64'), AREA_START_TIMEOUT: '0' }
    const [postgres, redis] = await Promise.all([
      runCli(['serve', '--port', '0'], {
        env: env({
          ...common,
          DATABASE_URL: `postgres://app:s3cret-pw@127.0.0.1:${closed}/area`,
          REDIS_URL: 'redis://127.0.0.1:6379',
        }),
      }),
      runCli(['serve', '--port', '0'], {
        env: env({
          ...common,
          DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
          REDIS_URL: `redis://:s3cret-pw@127.0.0.1:${closed}`,
        }),
      }),
    ])
    expect(postgres.code, postgres.stderr).toBe(1)
    expect(postgres.stderr).toContain(
      `Error: gave up after 0 s waiting for postgres at 127.0.0.1:${closed}, from DATABASE_URL (connection refused: nothing listens there): start postgres there, or set DATABASE_URL to the host and port of a running server`,
    )
    expect(redis.code, redis.stderr).toBe(1)
    expect(redis.stderr).toContain(
      `Error: gave up after 0 s waiting for redis at 127.0.0.1:${closed}, from REDIS_URL (connection refused: nothing listens there)`,
    )
    for (const result of [postgres, redis])
      expect(`${result.stdout}${result.stderr}`).not.toContain('s3cret-pw')
  })

  it('exits 130 without a word when Ctrl-C or Ctrl-D closes a prompt', async () => {
    const closedPrompts = await Promise.all(
      ['\u0003', '\u0004'].map((key) =>
        runCliInPty(['login', '--api-url', otherUrl], {
          steps: [{ expect: /E-mail/, send: key }],
          env: env(),
          timeoutMs: 120_000,
        }),
      ),
    )
    expect(closedPrompts).toHaveLength(2)
    for (const result of closedPrompts) {
      expect(result.code, result.output).toBe(130)
      expect(result.output).toContain('E-mail')
      expect(result.output).not.toMatch(/Error|force closed|SIGINT/)
    }
  })
})
