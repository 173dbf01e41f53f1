/**
 * Credentials and accounts through the real binary against one embedded `area serve` whose
 * GitHub API is a local fake: `connections update` swaps a token in place while an AREA uses it
 * (the next run sends the new one; another user cannot touch it), `login` revokes the token it
 * replaces, `signup` at a terminal asks the password twice; and the catalog commands work with no
 * server at all.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiUser, call, sendWebhook, signup, waitFor, webhookOf } from '../support/api/client.js'
import { type CliSession, cliSession } from '../support/cli/cli-session.js'
import { runCliInPty } from '../support/cli/pty.js'
import { cliHint } from '../support/cli/run-cli.js'
import { type DaemonProcess, startDaemon } from '../support/daemon/process.js'
import { type FakeGitHub, startFakeGitHub } from '../support/fakes/github.js'

const OLD_TOKEN = 'ghp_oldTokenBeforeRotation000000000000'
const NEW_TOKEN = 'ghp_newTokenAfterRotation1111111111111'
const INTRUDER_TOKEN = 'ghp_intruderToken22222222222222222222'
const REPO = 'acme/app'

let daemon: DaemonProcess
let github: FakeGitHub
let dataDir: string
let owner: CliSession
let intruder: CliSession
let ownerUser: ApiUser

beforeAll(async () => {
  github = await startFakeGitHub()
  github.addRepo(REPO)
  for (const token of [OLD_TOKEN, NEW_TOKEN, INTRUDER_TOKEN]) github.tokens.add(token)
  dataDir = await mkdtemp(join(tmpdir(), 'area-cli-accounts-data-'))
  daemon = await startDaemon({
    name: 'cli-accounts',
    role: 'all',
    env: { AREA_DATA_DIR: dataDir, AREA_GITHUB_API_URL: github.url },
    startTimeoutMs: 180_000,
  })
  owner = await cliSession('accounts-owner', daemon.url)
  intruder = await cliSession('accounts-intruder', daemon.url)
  ownerUser = await signup(daemon.url, 'owner@example.test')
  const intruderUser = await signup(daemon.url, 'intruder@example.test')
  const env = (user: ApiUser) => ({ env: { AREA_TOKEN: user.token } })
  const added = await Promise.all([
    owner.area(['connections', 'add', 'github', '--token-stdin'], {
      input: `${OLD_TOKEN}\n`,
      ...env(ownerUser),
    }),
    intruder.area(['connections', 'add', 'github', '--token-stdin'], {
      input: `${INTRUDER_TOKEN}\n`,
      ...env(intruderUser),
    }),
  ])
  for (const result of added) expect(result.code, result.stderr).toBe(0)
}, 300_000)

afterAll(async () => {
  await daemon?.stop()
  await github?.close()
  await owner?.cleanup()
  await intruder?.cleanup()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const issueArea = {
  apiVersion: 'area/v1',
  kind: 'Area',
  metadata: { name: 'open-issue' },
  spec: {
    action: { service: 'webhook', action: 'received' },
    reactions: [
      {
        id: 'issue',
        service: 'github',
        reaction: 'create_issue',
        connection: 'github',
        params: { repo: REPO, title: 'from a webhook' },
      },
    ],
  },
}

/** Sends one delivery and returns the Authorization header of the issue it made on the fake. */
async function runOnce(target: { webhookUrl: string; secret: string }): Promise<string | undefined> {
  const before = github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues')).length
  expect((await sendWebhook(target, { n: before })).status).toBe(202)
  const request = await waitFor('the issue request', async () => {
    const posts = github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues'))
    return posts.length > before ? posts[posts.length - 1] : undefined
  })
  return request.headers.authorization
}

describe('area connections update', () => {
  it('replaces the token in place: the AREA keeps running with the new one, another user cannot touch it', async () => {
    const asOwner = { env: { AREA_TOKEN: ownerUser.token } }
    const { status } = await call(daemon.url, 'PUT', '/v1/areas/open-issue', {
      token: ownerUser.token,
      body: issueArea,
    })
    expect(status).toBe(201)
    const target = await webhookOf(ownerUser, 'open-issue')
    expect(await runOnce(target)).toBe(`Bearer ${OLD_TOKEN}`)

    const [noTerminal, missing, updated] = await Promise.all([
      owner.area(['connections', 'update', 'github'], asOwner),
      owner.area(['connections', 'update', 'nope', '--token-stdin'], { input: 'x\n', ...asOwner }),
      owner.json<{ name: string; service: string; status: string }>(
        ['connections', 'update', 'github', '--token-stdin'],
        { input: `${NEW_TOKEN}\n`, ...asOwner },
      ),
    ])
    expect(noTerminal.code).toBe(3)
    expect(noTerminal.stderr).toContain('--token-stdin')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('no connection named "nope"')
    expect(updated.code, updated.stderr).toBe(0)
    expect(updated.data).toMatchObject({ name: 'github', service: 'github', status: 'active' })
    expect(JSON.stringify(updated.data)).not.toContain(NEW_TOKEN)

    // The AREA was not touched, and its next run sends the new token only.
    expect(await runOnce(target)).toBe(`Bearer ${NEW_TOKEN}`)

    // Another user's update reaches their own "github", never the owner's.
    const intruderTry = await call(daemon.url, 'PUT', '/v1/connections/github', {
      token: (await signup(daemon.url, 'third@example.test')).token,
      body: { credentials: { token: INTRUDER_TOKEN } },
    })
    expect(intruderTry.status).toBe(404)
    expect(await runOnce(target)).toBe(`Bearer ${NEW_TOKEN}`)

    // At a terminal it asks for each declared field, the secret without echo.
    const TYPED_TOKEN = 'ghp_typedAtThePrompt33333333333333333'
    github.tokens.add(TYPED_TOKEN)
    const prompted = await runCliInPty(['connections', 'update', 'github'], {
      env: { AREA_CONFIG_DIR: owner.configDir, AREA_API_URL: daemon.url, AREA_TOKEN: ownerUser.token },
      steps: [{ expect: /repositories:/, send: `${TYPED_TOKEN}\r` }],
      timeoutMs: 120_000,
    })
    expect(prompted.code, prompted.output).toBe(0)
    expect(prompted.output).toContain('updated the credentials of "github"')
    expect(prompted.output).not.toContain(TYPED_TOKEN)
    expect(await runOnce(target)).toBe(`Bearer ${TYPED_TOKEN}`)

    // Bad credentials are a 4xx naming the field, and change nothing.
    const bad = await call<{ detail?: string }>(daemon.url, 'PUT', '/v1/connections/github', {
      token: ownerUser.token,
      body: { credentials: {} },
    })
    expect(bad.status).toBe(400)
    expect(await runOnce(target)).toBe(`Bearer ${TYPED_TOKEN}`)
  }, 300_000)
})

describe('area login and signup', () => {
  it('login revokes the token it replaces; signup at a terminal asks the password twice', async () => {
    const me = await cliSession('accounts-login', daemon.url)
    try {
      const email = 'twice@example.test'
      const password = 'correct horse battery'
      const mismatch = await runCliInPty(['signup', '--email', email], {
        env: { AREA_CONFIG_DIR: me.configDir, AREA_API_URL: daemon.url },
        steps: [
          { expect: /Password:/, send: `${password}\r` },
          { expect: /Password again:/, send: 'correct horse batterie\r' },
        ],
        timeoutMs: 120_000,
      })
      expect(mismatch.code, mismatch.output).toBe(3)
      expect(mismatch.output).toContain('the two passwords differ')
      // Nothing was created: the e-mail is still free.
      const signedUp = await runCliInPty(['signup', '--email', email], {
        env: { AREA_CONFIG_DIR: me.configDir, AREA_API_URL: daemon.url },
        steps: [
          { expect: /Password:/, send: `${password}\r` },
          { expect: /Password again:/, send: `${password}\r` },
        ],
        timeoutMs: 120_000,
      })
      expect(signedUp.code, signedUp.output).toBe(0)
      expect(signedUp.output).toContain(`Signed up as ${email}`)

      const savedToken = async () =>
        JSON.parse(await readFile(join(me.configDir, 'config.json'), 'utf8')).token as string
      const first = await savedToken()
      expect((await call(daemon.url, 'GET', '/v1/me', { token: first })).status).toBe(200)
      const login = await me.json<{ replacedToken: string }>(
        ['login', '--email', email, '--password-stdin'],
        {
          input: `${password}\n`,
        },
      )
      expect(login.code, login.stderr).toBe(0)
      expect(login.data.replacedToken).toBe('revoked')
      const second = await savedToken()
      expect(second).not.toBe(first)
      expect((await call(daemon.url, 'GET', '/v1/me', { token: first })).status).toBe(401)
      expect((await call(daemon.url, 'GET', '/v1/me', { token: second })).status).toBe(200)
    } finally {
      await me.cleanup()
    }
  }, 300_000)
})

describe('the catalog offline', () => {
  it('services list, services describe and schema need no server and no login', async () => {
    // No AREA_API_URL, an empty config directory, and nothing listening on the default URL.
    const offline = await cliSession('accounts-offline', undefined)
    try {
      const [list, http, github, schema, unknown] = await Promise.all([
        offline.json<{ id: string }[]>(['services', 'list']),
        offline.area(['services', 'describe', 'http']),
        offline.area(['services', 'describe', 'github']),
        offline.area(['schema']),
        offline.area(['services', 'describe', 'nope']),
      ])
      expect(list.code, list.stderr).toBe(0)
      expect(list.data.map((s) => s.id)).toEqual(expect.arrayContaining(['http', 'github', 'email']))
      expect(http.code, http.stderr).toBe(0)
      // Nested fields, examples and each reaction's output.
      expect(http.stdout).toMatch(/\n +headers\.<key> +string, secret +no/)
      expect(http.stdout).toContain('timeout: "10s", "1m"')
      expect(http.stdout).toMatch(
        /output, as \{\{ reactions\.<id>\.… \}\} in later reactions, e\.g\.:\n +status: 200/,
      )
      expect(github.code, github.stderr).toBe(0)
      expect(github.stdout).toContain(`Connection (kind token): ${cliHint()} connections add github`)
      expect(github.stdout).toMatch(/number: 42\n/)
      // Each action's event fields, nested as dotted paths, then its example.
      expect(github.stdout).toMatch(/\n +issue\.user\.login +string +The account’s login\n/)
      expect(github.stdout).toContain('example event:')
      expect(github.stdout).toContain('AREA_GITHUB_CLIENT_ID')
      expect(schema.code, schema.stderr).toBe(0)
      expect(JSON.parse(schema.stdout)).toHaveProperty('$schema')
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toContain('no service "nope" (services: ')
    } finally {
      await offline.cleanup()
    }
  }, 180_000)
})
