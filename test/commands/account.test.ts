/**
 * Accounts and tokens through the real binary against a real embedded `area serve`: signup,
 * login (password and token on stdin), whoami, logout, tokens, the config file and its modes,
 * precedence of flags, environment and file, and exit code 4 whenever authentication fails.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliSession, cliSession } from '../support/cli/cli-session.js'
import { cliHint } from '../support/cli/run-cli.js'
import { type DaemonProcess, startDaemon } from '../support/daemon/process.js'

let daemon: DaemonProcess
let dataDir: string
let alice: CliSession
let ci: CliSession
const password = 'correct horse battery'

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'area-cli-account-data-'))
  daemon = await startDaemon({ name: 'cli-account', role: 'all', env: { AREA_DATA_DIR: dataDir } })
  alice = await cliSession('account-alice', daemon.url)
  ci = await cliSession('account-ci', undefined)
})

afterAll(async () => {
  await daemon?.stop()
  await alice?.cleanup()
  await ci?.cleanup()
  await rm(dataDir, { recursive: true, force: true })
})

describe('area signup / login / whoami / logout / tokens (real binary, embedded server)', {
  timeout: 240_000,
}, () => {
  it('never prompts without a terminal: signup and login fail with 3 and name the flags', async () => {
    const [signup, login, half] = await Promise.all([
      alice.area(['signup']),
      alice.area(['login']),
      alice.area(['login', '--password-stdin'], { input: `${password}\n` }),
    ])
    expect(signup.code).toBe(3)
    expect(signup.stderr).toContain('--password-stdin')
    expect(login.code).toBe(3)
    expect(login.stderr).toContain('--password-stdin')
    expect(login.stderr).toContain('--with-token')
    expect(half.code).toBe(3)
    expect(half.stderr).toContain('--email')
  })

  it('fails with 4 before signing up, naming area login and AREA_TOKEN', async () => {
    const { code, stderr } = await alice.area(['whoami'])
    expect(code).toBe(4)
    expect(stderr).toContain(`\`${cliHint()} login\``)
    expect(stderr).toContain('AREA_TOKEN')
  })

  it('signs up with the password on stdin and saves the token in a 0600 file in a 0700 dir', async () => {
    const { code, data } = await alice.json<Record<string, unknown>>(
      ['signup', '--email', 'alice@example.com', '--password-stdin'],
      { input: `${password}\n` },
    )
    expect(code).toBe(0)
    expect(data).toMatchObject({
      apiUrl: daemon.url,
      user: { email: 'alice@example.com' },
      tokenName: expect.any(String),
    })
    expect(data).not.toHaveProperty('token')
    const file = join(alice.configDir, 'config.json')
    expect(data.configFile).toBe(file)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(alice.configDir)).mode & 0o777).toBe(0o700)
    const saved = JSON.parse(await readFile(file, 'utf8'))
    expect(saved).toEqual({
      apiUrl: daemon.url,
      token: expect.stringMatching(/^area_/),
      email: 'alice@example.com',
    })
  })

  it('whoami prints the user, and with --json a stable shape', async () => {
    const human = await alice.area(['whoami'])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(`alice@example.com on ${daemon.url}`)
    const { code, data } = await alice.json(['whoami'])
    expect(code).toBe(0)
    expect(data).toMatchObject({
      apiUrl: daemon.url,
      tokenSource: 'config',
      user: { email: 'alice@example.com', id: expect.any(String) },
      currentToken: { name: expect.any(String), current: true, expired: false },
    })
  })

  it('refuses a second signup with the same e-mail (exit 1, detail from the API)', async () => {
    const { code, stderr } = await alice.area(
      ['signup', '--email', 'alice@example.com', '--password-stdin'],
      {
        input: `${password}\n`,
      },
    )
    expect(code).toBe(1)
    expect(stderr).toContain(`\`${cliHint()} login\``)
  })

  it('logs in with a password on stdin; a wrong password exits 4', async () => {
    const wrong = await alice.area(['login', '--email', 'alice@example.com', '--password-stdin'], {
      input: 'nope-nope\n',
    })
    expect(wrong.code).toBe(4)
    expect(wrong.stderr).toContain('wrong e-mail or password')
    const { code, data } = await alice.json<{ tokenName: string }>(
      ['login', '--email', 'alice@example.com', '--password-stdin'],
      { input: `${password}\n` },
    )
    expect(code).toBe(0)
    expect(data.tokenName).toMatch(/^login-/)
    const me = await alice.json<{ currentToken: { name: string } }>(['whoami'])
    expect(me.data.currentToken.name).toBe(data.tokenName)
  })

  it('creates a token (printed once, alone on stdout), lists it, and AREA_TOKEN alone authenticates', async () => {
    const created = await alice.area(['tokens', 'create', 'ci-token'])
    expect(created.code).toBe(0)
    const token = created.stdout.trim()
    expect(token).toMatch(/^area_\S+$/)
    expect(created.stderr).toContain('shown this once')

    const list = await alice.json<{ name: string; current: boolean }[]>(['tokens', 'list'])
    expect(list.code).toBe(0)
    expect(list.data.map((t) => t.name)).toContain('ci-token')
    expect(list.data.filter((t) => t.current)).toHaveLength(1)
    const table = await alice.area(['tokens', 'list'])
    expect(table.stdout).toMatch(/^NAME +CREATED +LAST USED +EXPIRES\n/)

    // No config file at all in the CI session: the environment alone is enough.
    const viaEnv = await ci.json<{ tokenSource: string; currentToken: { name: string } }>(['whoami'], {
      env: { AREA_TOKEN: token, AREA_API_URL: daemon.url },
    })
    expect(viaEnv.code).toBe(0)
    expect(viaEnv.data).toMatchObject({ tokenSource: 'env', currentToken: { name: 'ci-token' } })
    // A flag beats the environment.
    const flagWins = await ci.area(['whoami', '--token', 'area_not-a-token'], {
      env: { AREA_TOKEN: token, AREA_API_URL: daemon.url },
    })
    expect(flagWins.code).toBe(4)
    expect(flagWins.stderr).toContain(`\`${cliHint()} login\``)

    // login --with-token stores it for later commands.
    const login = await ci.json<{ tokenName: string }>(['login', '--with-token', '--api-url', daemon.url], {
      input: `${token}\n`,
    })
    expect(login.code).toBe(0)
    expect(login.data.tokenName).toBe('ci-token')
    const saved = JSON.parse(await readFile(join(ci.configDir, 'config.json'), 'utf8'))
    expect(saved).toMatchObject({ apiUrl: daemon.url, token })
    expect((await ci.area(['whoami'])).code).toBe(0)

    // Revoked: every use of it is now exit 4, and revoking it again is an error naming the list.
    const revoke = await alice.json(['tokens', 'revoke', 'ci-token'])
    expect(revoke).toMatchObject({ code: 0, data: { name: 'ci-token', revoked: true } })
    const [after, again, withToken] = await Promise.all([
      ci.area(['whoami']),
      alice.area(['tokens', 'revoke', 'ci-token']),
      ci.area(['login', '--with-token', '--api-url', daemon.url], { input: `${token}\n` }),
    ])
    expect(after.code).toBe(4)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain(`\`${cliHint()} tokens list\``)
    expect(withToken.code).toBe(4)
    expect(withToken.stderr).toContain('not valid')
  })

  it('--with-token with an empty stdin exits 3', async () => {
    const { code, stderr } = await ci.area(['login', '--with-token'], { input: '' })
    expect(code).toBe(3)
    expect(stderr).toContain('stdin was empty')
  })

  it('names the URL and `area serve` when the server cannot be reached (exit 1)', async () => {
    const { code, stderr } = await alice.area(['whoami', '--api-url', 'http://127.0.0.1:9'])
    expect(code).toBe(1)
    expect(stderr).toContain('cannot reach the area API at http://127.0.0.1:9')
    expect(stderr).toContain(`\`${cliHint()} serve\``)
  })

  it('logout revokes the saved token and forgets it; whoami is then 4', async () => {
    const saved = JSON.parse(await readFile(join(alice.configDir, 'config.json'), 'utf8'))
    const { code, data } = await alice.json(['logout'])
    expect(code).toBe(0)
    expect(data).toEqual({ revoked: true, removed: true })
    const file = JSON.parse(await readFile(join(alice.configDir, 'config.json'), 'utf8'))
    expect(file.token).toBeUndefined()
    expect(file.apiUrl).toBe(daemon.url)
    const [whoami, oldToken, twice] = await Promise.all([
      alice.area(['whoami']),
      alice.area(['whoami'], { env: { AREA_TOKEN: saved.token } }),
      alice.json(['logout']),
    ])
    expect(whoami.code).toBe(4)
    expect(oldToken.code).toBe(4)
    expect(twice.data).toEqual({ revoked: false, removed: false })
  })
})
