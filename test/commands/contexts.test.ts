/**
 * Named contexts through the real binary: one daemon and one closed port as two servers. A
 * config file of the older single-server shape keeps its token as the context `default`;
 * `context set|use|current|list|delete`, `--context` and AREA_CONTEXT pick the server and token;
 * `login --context` saves into that context only.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, signup } from '../support/api/client.js'
import { type CliSession, cliSession } from '../support/cli/cli-session.js'
import { type DaemonProcess, startDaemon } from '../support/daemon/process.js'

let daemon: DaemonProcess
let cli: CliSession
let closedUrl: string
let dataDir: string

/** A port that was free a moment ago and nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'area-cli-contexts-data-'))
  daemon = await startDaemon({
    name: 'cli-contexts',
    role: 'all',
    env: { AREA_DATA_DIR: dataDir },
    startTimeoutMs: 180_000,
  })
  // No AREA_API_URL: the config file's contexts decide.
  cli = await cliSession('contexts', undefined)
  closedUrl = `http://127.0.0.1:${await closedPort()}`
}, 240_000)

afterAll(async () => {
  await daemon?.stop()
  await cli?.cleanup()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

interface ContextRow {
  name: string
  current: boolean
  apiUrl: string
  email: string | null
  loggedIn: boolean
}

describe('area context', () => {
  it('keeps an old config as "default" and switches between servers with use, --context and AREA_CONTEXT', async () => {
    const user = await signup(daemon.url, 'contexts@example.test')
    const file = join(cli.configDir, 'config.json')
    // The single-server shape every earlier version wrote.
    await writeFile(
      file,
      JSON.stringify({ apiUrl: daemon.url, token: user.token, email: 'contexts@example.test' }),
    )

    const [whoami, listed] = await Promise.all([
      cli.area(['whoami']),
      cli.json<ContextRow[]>(['context', 'list']),
    ])
    expect(whoami.code, whoami.stderr).toBe(0)
    expect(whoami.stdout).toContain(`contexts@example.test on ${daemon.url}`)
    expect(listed.data).toEqual([
      { name: 'default', current: true, apiUrl: daemon.url, email: 'contexts@example.test', loggedIn: true },
    ])

    const set = await cli.area(['context', 'set', 'lab', '--api-url', `${closedUrl}/`])
    expect(set.code, set.stderr).toBe(0)
    expect(set.stdout).toContain(`context "lab" → ${closedUrl}`)
    // The first write moved the old file into the new shape, token included.
    const stored = JSON.parse(await readFile(file, 'utf8'))
    expect(stored.contexts.default.token).toBe(user.token)
    expect(stored.contexts.lab).toEqual({ apiUrl: closedUrl })

    expect((await cli.area(['context', 'use', 'lab'])).code).toBe(0)
    const [current, onLab, onDefault, byEnv, unknown, badUse, table, badName, badUrl] = await Promise.all([
      cli.area(['context', 'current']),
      cli.area(['whoami']),
      cli.area(['whoami', '--context', 'default']),
      cli.area(['whoami'], { env: { AREA_CONTEXT: 'default' } }),
      cli.area(['whoami', '--context', 'nope']),
      cli.area(['context', 'use', 'nope']),
      cli.area(['context', 'list']),
      cli.area(['whoami', '--context', 'no spaces']),
      cli.area(['context', 'set', 'ftp', '--api-url', 'ftp://example.com']),
    ])
    expect(badName.code).toBe(3)
    expect(badName.stderr).toContain('--context "no spaces" is not a context name')
    expect(badUrl.code).toBe(3)
    expect(badUrl.stderr).toContain('is not an http:// or https:// URL')
    expect(current.stdout).toBe('lab\n')
    expect(onLab.code).toBe(4)
    expect(onLab.stderr).toContain(`not logged in to ${closedUrl}`)
    expect(onDefault.code, onDefault.stderr).toBe(0)
    expect(onDefault.stdout).toContain(`on ${daemon.url}`)
    expect(byEnv.code, byEnv.stderr).toBe(0)
    expect(unknown.code).toBe(3)
    expect(unknown.stderr).toContain('no context "nope" (contexts: default, lab)')
    expect(badUse.code).toBe(3)
    expect(table.stdout).toMatch(/CURRENT +NAME +API URL +USER\n +default +http/)
    expect(table.stdout).toMatch(/\* +lab +http:\/\/127\.0\.0\.1:\d+ +not logged in/)

    // A login with a URL creates its context and saves there; the other contexts keep their token.
    const login = await cli.area(
      [
        'login',
        '--context',
        'second',
        '--api-url',
        daemon.url,
        '--email',
        'contexts@example.test',
        '--password-stdin',
      ],
      { input: 'correct horse battery\n' },
    )
    expect(login.code, login.stderr).toBe(0)
    const after = JSON.parse(await readFile(file, 'utf8'))
    expect(after.currentContext).toBe('lab')
    expect(after.contexts.default.token).toBe(user.token)
    expect(after.contexts.second.token).toMatch(/.+/)
    expect(after.contexts.second.token).not.toBe(user.token)
    expect((await call(daemon.url, 'GET', '/v1/me', { token: user.token })).status).toBe(200)

    // Moving a context to another server forgets its token; deleting the current one falls back to default.
    // One at a time: each rewrites the file.
    const moved = await cli.json<{ forgotToken: boolean }>([
      'context',
      'set',
      'second',
      '--api-url',
      closedUrl,
    ])
    const deleted = await cli.json<{ wasCurrent: boolean }>(['context', 'delete', 'lab'])
    expect(moved.data.forgotToken).toBe(true)
    expect(deleted.data.wasCurrent).toBe(true)
    const final = await cli.json<ContextRow[]>(['context', 'list'])
    expect(final.data.map((c) => [c.name, c.current, c.loggedIn])).toEqual([
      ['default', true, true],
      ['second', false, false],
    ])
    expect((await cli.area(['whoami'])).code).toBe(0)
  }, 400_000)
})
