/**
 * `area login --supabase` through the real binary, against a real embedded `area serve` whose
 * SUPABASE_URL and SUPABASE_ANON_KEY point at a local fake of Supabase Auth: sign-in with the
 * password on stdin, the saved session, whoami, renewal of an expiring access token, logout,
 * the refusals (no terminal, missing settings, wrong password, a server of another project), and
 * `area serve` refusing half the settings.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliSession, cliSession } from '../support/cli/cli-session.js'
import { cliBin, cliHint, repoRoot } from '../support/cli/run-cli.js'
import { type DaemonProcess, startDaemon } from '../support/daemon/process.js'
import {
  type FakeSupabaseAuth,
  type FakeSupabaseUser,
  startFakeSupabaseAuth,
} from '../support/fakes/supabase-auth.js'

let supabase: FakeSupabaseAuth
let otherProject: FakeSupabaseAuth
let daemon: DaemonProcess
let dataDir: string
let ada: CliSession
let bea: CliSession
let adaUser: FakeSupabaseUser
let beaUser: FakeSupabaseUser

beforeAll(async () => {
  ;[supabase, otherProject] = await Promise.all([startFakeSupabaseAuth(), startFakeSupabaseAuth()])
  adaUser = supabase.addUser({ email: 'ada@supabase.test', password: 'ada supabase password' })
  beaUser = supabase.addUser({ email: 'bea@supabase.test', password: 'bea supabase password' })
  dataDir = await mkdtemp(join(tmpdir(), 'area-cli-supabase-data-'))
  daemon = await startDaemon({
    name: 'cli-supabase',
    role: 'all',
    env: { AREA_DATA_DIR: dataDir, SUPABASE_URL: supabase.url, SUPABASE_ANON_KEY: supabase.anonKey },
  })
  ada = await cliSession('supabase-ada', daemon.url)
  bea = await cliSession('supabase-bea', daemon.url)
})

afterAll(async () => {
  await daemon?.stop()
  await ada?.cleanup()
  await bea?.cleanup()
  await supabase?.close()
  await otherProject?.close()
  await rm(dataDir, { recursive: true, force: true })
})

const savedConfig = async (session: CliSession) =>
  JSON.parse(await readFile(join(session.configDir, 'config.json'), 'utf8')) as {
    token?: string
    email?: string
    supabase?: { url: string; anonKey: string; refreshToken: string; expiresAt: number }
  }

describe('area login --supabase (real binary, embedded server, fake Supabase Auth)', {
  timeout: 240_000,
}, () => {
  it('refuses without a terminal, without the project settings, and with a wrong password', async () => {
    const flags = ['--supabase-url', supabase.url, '--supabase-anon-key', supabase.anonKey]
    const [noTerminal, noSettings, wrong, otherServer] = await Promise.all([
      ada.area(['login', '--supabase', ...flags]),
      ada.area(['login', '--supabase', '--email', adaUser.email as string, '--password-stdin'], {
        input: `${adaUser.password}\n`,
      }),
      ada.area(['login', '--supabase', ...flags, '--email', adaUser.email as string, '--password-stdin'], {
        input: 'not the password\n',
      }),
      // Signed in to another Supabase project than the server's.
      ada.area(
        [
          'login',
          '--supabase',
          '--email',
          'ada@other.test',
          '--password-stdin',
          ...['--supabase-url', otherProject.url, '--supabase-anon-key', otherProject.anonKey],
        ],
        { input: `${otherProject.addUser({ email: 'ada@other.test' }).password}\n` },
      ),
    ])
    expect(noTerminal.code).toBe(3)
    expect(noTerminal.stderr).toContain('--password-stdin')
    expect(noTerminal.stderr).toContain(`${cliHint()} login --supabase --email`)
    expect(noSettings.code).toBe(3)
    expect(noSettings.stderr).toContain('--supabase-url (or SUPABASE_URL)')
    expect(noSettings.stderr).toContain('--supabase-anon-key (or SUPABASE_ANON_KEY)')
    expect(wrong.code).toBe(4)
    expect(wrong.stderr).toContain('Invalid login credentials')
    expect(otherServer.code).toBe(4)
    expect(otherServer.stderr).toContain(`needs SUPABASE_URL=${otherProject.url}`)
    // Nothing was saved by any of them.
    await expect(stat(join(ada.configDir, 'config.json'))).rejects.toThrow()
  })

  it('signs in with the password on stdin, saves the session (0600), and later commands use it', async () => {
    const { code, data, stderr } = await ada.json<Record<string, unknown>>(
      [
        'login',
        '--supabase',
        ...['--supabase-url', supabase.url, '--supabase-anon-key', supabase.anonKey],
        ...['--email', adaUser.email as string, '--password-stdin'],
      ],
      { input: `${adaUser.password}\n` },
    )
    expect(code, stderr).toBe(0)
    expect(data).toMatchObject({
      apiUrl: daemon.url,
      user: { email: adaUser.email },
      tokenName: 'supabase-session',
      via: 'supabase',
      expiresAt: expect.any(String),
    })
    expect(data).not.toHaveProperty('token')
    const file = join(ada.configDir, 'config.json')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    const saved = await savedConfig(ada)
    expect(saved).toMatchObject({
      token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      email: adaUser.email,
      supabase: { url: supabase.url, anonKey: supabase.anonKey, refreshToken: expect.any(String) },
    })
    const signIn = supabase.calls('POST /auth/v1/token').at(-1)
    expect(signIn?.query.get('grant_type')).toBe('password')
    expect(signIn?.headers.apikey).toBe(supabase.anonKey)
    expect(JSON.parse(signIn?.body ?? '{}')).toMatchObject({
      email: adaUser.email,
      password: adaUser.password,
    })

    const [whoami, created] = await Promise.all([ada.json(['whoami']), ada.area(['tokens', 'create', 'ci'])])
    expect(whoami.code, whoami.stderr).toBe(0)
    expect(whoami.data).toMatchObject({
      user: { email: adaUser.email },
      tokenSource: 'config',
      currentToken: { name: 'supabase-session', current: true, expired: false },
    })
    // The session makes API tokens for CI, as any login does.
    expect(created.code, created.stderr).toBe(0)
    expect(created.stdout.trim()).toMatch(/^area_\S+$/)
    // Nothing to renew an hour ahead of expiry.
    expect(
      supabase.calls('POST /auth/v1/token').filter((r) => r.query.get('grant_type') === 'refresh_token'),
    ).toEqual([])
  })

  it('renews an access token close to expiry with the refresh token (SUPABASE_* from the environment)', async () => {
    supabase.expiresIn = 30 // under the CLI's one-minute margin: every command renews
    try {
      const env = { SUPABASE_URL: supabase.url, SUPABASE_ANON_KEY: supabase.anonKey }
      const login = await bea.area(
        ['login', '--supabase', '--email', beaUser.email as string, '--password-stdin'],
        {
          input: `${beaUser.password}\n`,
          env,
        },
      )
      expect(login.code, login.stderr).toBe(0)
      const first = await savedConfig(bea)
      // Supabase's tokens carry whole seconds (iat, exp): a renewal in the login's second would
      // give the very same token. Wait for the next second, as any real use of the CLI does.
      await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 10))

      const whoami = await bea.json<{ user: { email: string } }>(['whoami'])
      expect(whoami.code, whoami.stderr).toBe(0)
      expect(whoami.data.user.email).toBe(beaUser.email)
      const renewals = supabase
        .calls('POST /auth/v1/token')
        .filter((r) => r.query.get('grant_type') === 'refresh_token')
      expect(renewals).toHaveLength(1)
      expect(JSON.parse(renewals[0]?.body ?? '{}')).toEqual({ refresh_token: first.supabase?.refreshToken })
      const second = await savedConfig(bea)
      expect(second.token).not.toBe(first.token)
      expect(second.supabase?.refreshToken).not.toBe(first.supabase?.refreshToken)
      expect(second.supabase?.expiresAt).toBeGreaterThanOrEqual(first.supabase?.expiresAt ?? 0)
    } finally {
      supabase.expiresIn = 3600
    }
  })

  it('logout signs the Supabase session out and forgets it', async () => {
    const token = (await savedConfig(ada)).token as string
    const { code, data } = await ada.json(['logout'])
    expect(code).toBe(0)
    expect(data).toEqual({ revoked: true, removed: true })
    expect(supabase.sessionEnded(token)).toBe(true)
    const saved = await stat(join(ada.configDir, 'config.json'))
      .then(() => savedConfig(ada))
      .catch(() => ({}))
    expect(saved).not.toHaveProperty('token')
    expect(saved).not.toHaveProperty('supabase')
  })

  it('area serve refuses half the Supabase settings, saying what is missing', () => {
    const result = spawnSync(process.execPath, [cliBin(), 'serve', '--role=all'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        // A database and a key given: the configuration is refused before anything is touched.
        DATABASE_URL: 'postgres://127.0.0.1:1/unused',
        AREA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        SUPABASE_URL: supabase.url,
      },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(result.status).toBe(3)
    expect(result.stderr).toContain('SUPABASE_URL is set but SUPABASE_ANON_KEY is not')
  })
})
