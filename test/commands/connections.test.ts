/**
 * `area connections add|list|update|remove` through the real binary against a real embedded
 * `area serve` whose GitHub OAuth endpoints are a local fake provider: a token from stdin, an
 * SMTP JSON, the --web flow (URL printed without a TTY, the browser's part played by the test,
 * the command waits until the connection exists), update refusing an OAuth connection, removal
 * with --yes, the errors with their exit codes — and no secret in the CLI's output or the
 * daemon's logs.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signup } from '../support/api/client.js'
import { type CliSession, cliSession } from '../support/cli/cli-session.js'
import { cliBin, repoRoot } from '../support/cli/run-cli.js'
import { type DaemonProcess, startDaemon } from '../support/daemon/process.js'
import { type FakeOAuthProvider, startFakeOAuthProvider } from '../support/fakes/oauth-provider.js'
import { connectInBrowser, fetchBrowser } from '../support/oauth-env.js'

const PERSONAL_TOKEN = 'ghp_cliPersonalToken0123456789abcdef'
const SMTP_PASSWORD = 'smtp-password-not-to-print'
const PUBLIC_URL = 'http://area.public.test'

let daemon: DaemonProcess
let provider: FakeOAuthProvider
let dataDir: string
let cli: CliSession
let token: string

beforeAll(async () => {
  provider = await startFakeOAuthProvider()
  dataDir = await mkdtemp(join(tmpdir(), 'area-cli-connections-data-'))
  daemon = await startDaemon({
    name: 'cli-connections',
    role: 'all',
    env: {
      // Request lines are at debug: this daemon logs them so the test can check they hold no secret.
      LOG_LEVEL: 'debug',
      AREA_DATA_DIR: dataDir,
      AREA_PUBLIC_URL: PUBLIC_URL,
      AREA_GITHUB_CLIENT_ID: provider.clientId,
      AREA_GITHUB_CLIENT_SECRET: provider.clientSecret,
      AREA_GITHUB_OAUTH_AUTHORIZE_URL: provider.authorizeUrl,
      AREA_GITHUB_OAUTH_TOKEN_URL: provider.tokenUrl,
    },
  })
  cli = await cliSession('connections', daemon.url)
  token = (await signup(daemon.url, 'connections-cli@example.test')).token
}, 120_000)

afterAll(async () => {
  await daemon?.stop()
  await provider?.close()
  await cli?.cleanup()
  await rm(dataDir, { recursive: true, force: true })
})

/** The CLI with a live stderr: `onStderr` sees each chunk while the command still runs. */
function runStreaming(args: string[], onStderr: (text: string) => void, input?: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin(), ...args], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        AREA_CONFIG_DIR: cli.configDir,
        AREA_API_URL: daemon.url,
        AREA_TOKEN: token,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    // Closed at once without input: stdin reads as empty, as with 'ignore'.
    child.stdin.end(input ?? '')
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      onStderr(stderr)
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('area connections (real binary, embedded server)', { timeout: 240_000 }, () => {
  const env = () => ({ AREA_TOKEN: token })

  it('adds a token and an SMTP connection from stdin, lists them, never prints the secrets', async () => {
    const [added, smtp, none, neither] = await Promise.all([
      cli.json<Record<string, unknown>>(['connections', 'add', 'github', '--token-stdin'], {
        input: `${PERSONAL_TOKEN}\n`,
        env: env(),
      }),
      cli.area(['connections', 'add', 'email', '--name', 'mail', '--token-stdin'], {
        input: JSON.stringify({ host: 'smtp.example.test', port: 2525, user: 'me', password: SMTP_PASSWORD }),
        env: env(),
      }),
      cli.area(['connections', 'add', 'rss', '--token-stdin'], { input: 'x\n', env: env() }),
      cli.area(['connections', 'add', 'github'], { env: env() }),
    ])
    expect(added.code, added.stderr).toBe(0)
    expect(added.data).toMatchObject({ name: 'github', service: 'github', kind: 'token', status: 'active' })
    expect(JSON.stringify(added)).not.toContain(PERSONAL_TOKEN)
    expect(smtp.code, smtp.stderr).toBe(0)
    expect(smtp.stdout).toContain('connected email as "mail"')
    expect(smtp.stdout + smtp.stderr).not.toContain(SMTP_PASSWORD)
    expect(none.code).toBe(3)
    expect(none.stderr).toContain('needs no connection')
    expect(neither.code).toBe(3)
    expect(neither.stderr).toContain('--token-stdin')
    expect(neither.stderr).toContain('--web')

    const duplicate = await cli.area(['connections', 'add', 'github', '--token-stdin'], {
      input: 'ghp_another\n',
      env: env(),
    })
    expect(duplicate.code).toBe(1)
    expect(duplicate.stderr).toContain('already have a connection named "github"')

    const [table, json] = await Promise.all([
      cli.area(['connections', 'list'], { env: env() }),
      cli.json<{ name: string; kind: string }[]>(['connections', 'list'], { env: env() }),
    ])
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/NAME\s+SERVICE\s+KIND\s+STATUS/)
    expect(table.stdout).toMatch(/github\s+github\s+token\s+active/)
    expect(table.stdout).toMatch(/mail\s+email\s+smtp\s+active/)
    expect(json.data.map((c) => [c.name, c.kind])).toEqual([
      ['github', 'token'],
      ['mail', 'smtp'],
    ])
    expect(table.stdout + json.stderr + JSON.stringify(json.data)).not.toContain(PERSONAL_TOKEN)
  })

  it('--web prints the authorize URL without a TTY and waits until the browser has connected', async () => {
    let approved: Promise<void> | undefined
    const result = await runStreaming(
      ['connections', 'add', 'github', '--name', 'gh-web', '--web', '--json'],
      (text) => {
        const url = /https?:\/\/\S+\/v1\/connections\/github\/start\S+/.exec(text)?.[0]
        if (!url || approved) return
        // The browser's part: our start page, the provider, the public callback URL and the
        // confirmation, all served by the daemon.
        approved = (async () => {
          expect(new URL(url).origin).toBe(PUBLIC_URL)
          const { callback, answer } = await connectInBrowser(fetchBrowser(daemon.url), url, provider)
          expect(new URL(callback).origin).toBe(PUBLIC_URL)
          expect(answer.status).toBe(200)
          expect(answer.body).toContain('You can close this tab')
        })()
      },
    )
    await approved
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('Open this URL in a browser')
    expect(JSON.parse(result.stdout)).toMatchObject({
      name: 'gh-web',
      service: 'github',
      kind: 'oauth2',
      status: 'active',
    })
    for (const secret of provider.accessTokens) expect(result.stdout + result.stderr).not.toContain(secret)
  })

  it('--kind oauth2_code --web stores your own OAuth app for http, then authorizes it in the browser', async () => {
    let approved: Promise<void> | undefined
    const app = [
      '--field',
      'baseUrl=https://api.example.test/',
      '--field',
      `authorizeUrl=${provider.authorizeUrl}`,
      '--field',
      `tokenUrl=${provider.tokenUrl}`,
      '--field',
      `clientId=${provider.clientId}`,
      '--field',
      'scopes=read',
    ]
    const result = await runStreaming(
      [
        'connections',
        'add',
        'http',
        '--name',
        'own-app',
        '--kind',
        'oauth2_code',
        ...app,
        '--token-stdin',
        '--web',
        '--json',
      ],
      (text) => {
        const url = /https?:\/\/\S+\/v1\/connections\/http\/start\S+/.exec(text)?.[0]
        if (!url || approved) return
        approved = (async () => {
          const { answer } = await connectInBrowser(fetchBrowser(daemon.url), url, provider)
          expect(answer.status, answer.body).toBe(200)
        })()
      },
      `${provider.clientSecret}\n`,
    )
    await approved
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({
      name: 'own-app',
      service: 'http',
      kind: 'oauth2_code',
      status: 'active',
      tokenExpiresAt: expect.any(String),
    })
    for (const secret of [provider.clientSecret, ...provider.accessTokens])
      expect(result.stdout + result.stderr).not.toContain(secret)
    const removed = await cli.area(['connections', 'remove', 'own-app', '--yes'], { env: env() })
    expect(removed.code, removed.stderr).toBe(0)
  })

  it('update refuses an OAuth connection and says how to reconnect it; the connection is unchanged', async () => {
    const before = await cli.json<unknown[]>(['connections', 'list'], { env: env() })
    const refused = await cli.area(['connections', 'update', 'gh-web', '--token-stdin'], {
      input: 'ghp_notUsedForAnOAuthConnection\n',
      env: env(),
    })
    expect(refused.code).toBe(3)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toContain('"gh-web" is an OAuth connection')
    // The hint names the command as it was started (the built bin/run.js by path under the tests).
    expect(refused.stderr).toContain('connections add github --name gh-web --web`')
    const after = await cli.json<unknown[]>(['connections', 'list'], { env: env() })
    expect(after.data).toEqual(before.data)
  })

  it('removes with --yes, refuses to prompt without a TTY, and answers 1 for an unknown name', async () => {
    const [asks, removed, missing] = await Promise.all([
      cli.area(['connections', 'remove', 'mail'], { env: env() }),
      cli.area(['connections', 'remove', 'gh-web', '--yes'], { env: env() }),
      cli.area(['connections', 'remove', 'nothing-here', '--yes'], { env: env() }),
    ])
    expect(asks.code).toBe(3)
    expect(asks.stderr).toContain('--yes')
    expect(removed.code, removed.stderr).toBe(0)
    expect(removed.stdout).toContain('removed gh-web')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('no connection named "nothing-here"')
    const left = await cli.json<{ name: string }[]>(['connections', 'list'], { env: env() })
    expect(left.data.map((c) => c.name)).toEqual(['github', 'mail'])
  })

  it('the daemon logged the requests but no token, password or code', async () => {
    const logs = JSON.stringify(daemon.logs)
    expect(logs).toContain('/v1/connections')
    const secrets = [PERSONAL_TOKEN, SMTP_PASSWORD, ...provider.accessTokens]
    expect(provider.accessTokens.length).toBeGreaterThan(0)
    for (const secret of secrets) expect(logs).not.toContain(secret)
    expect(logs).not.toMatch(/code=code_/)
  })
})
