/**
 * The whole OAuth 2 path on both drivers, with the daemon's real logger capturing every line at
 * trace level: connect GitHub through authorize → provider → callback, apply an AREA whose
 * `github.comment` reaction uses the connection, run it through the worker with the access token
 * about to expire (it is refreshed and the comment is posted with the new token), then make the
 * refresh fail (the run fails with how to reconnect, the connection is marked) — and no token,
 * refresh token or code ever appears in a log line, an API answer or the database in clear.
 */
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AreaApp, buildApp } from '../../../../src/daemon/api/app.js'
import { createLogger } from '../../../../src/daemon/logger.js'
import type { WorkerDeps } from '../../../../src/daemon/worker/deps.js'
import { executeEvent } from '../../../../src/daemon/worker/execute-event.js'
import { createConnectionRefresher } from '../../../../src/features/connections/oauth/refresh.js'
import { type Caller, signUp } from '../../../support/api/fixtures.js'
import { openTestDaemonContext, type TestDaemonContext } from '../../../support/daemon/context.js'
import { drivers } from '../../../support/db/stores.js'
import { type FakeGitHub, startFakeGitHub } from '../../../support/fakes/github.js'
import { type FakeOAuthProvider, startFakeOAuthProvider } from '../../../support/fakes/oauth-provider.js'
import { connectInBrowser, githubOAuthEnv, injectBrowser, useServiceEnv } from '../../../support/oauth-env.js'

const attempt = () => ({ attempt: 1, maxAttempts: 3, signal: new AbortController().signal })

describe.each(drivers)('github over an oauth2 connection, through the worker (%s)', (driver) => {
  let t: TestDaemonContext
  let app: AreaApp
  let me: Caller
  let provider: FakeOAuthProvider
  let github: FakeGitHub
  let deps: WorkerDeps
  const logLines: string[] = []
  const secretsSeen: string[] = []
  const db = () => t.ctx.store.db

  const connection = () =>
    db()
      .selectFrom('user_services')
      .selectAll()
      .where('user_id', '=', me.userId)
      .where('name', '=', 'github')
      .executeTakeFirstOrThrow()
  const expireSoon = async () =>
    db()
      .updateTable('user_services')
      .set({ token_expires_at: new Date(Date.now() + 20_000) })
      .where('user_id', '=', me.userId)
      .where('name', '=', 'github')
      .execute()
  async function runOnce(event: Record<string, unknown>) {
    const fired = await me.call('POST', '/v1/areas/comment-on-hook/run', { event })
    expect(fired.statusCode, fired.body).toBeLessThan(300)
    const job = t.enqueued.at(-1)
    if (!job) throw new Error('the run enqueued nothing')
    // A failed reaction fails the job (the queue records it); the execution log says why.
    await executeEvent(deps, job, attempt()).catch(() => undefined)
    return db()
      .selectFrom('execution_logs')
      .select(['status', 'error_text', 'reaction_ref'])
      .where('hook_log_id', '=', job.hookLogId)
      .where('reaction_ref', '=', 'c')
      .executeTakeFirstOrThrow()
  }

  beforeAll(async () => {
    provider = await startFakeOAuthProvider({ expiresIn: 3600 })
    github = await startFakeGitHub()
    // Every access token the provider issues is one the fake GitHub API accepts.
    provider.onAccessToken = (token) => {
      github.tokens.add(token)
      secretsSeen.push(token)
    }
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk))
        done()
      },
    })
    t = await openTestDaemonContext(driver, { logger: createLogger('trace', sink) })
    useServiceEnv(t.ctx, githubOAuthEnv(provider, github.url))
    app = await buildApp(t.ctx)
    me = await signUp(app)
    deps = {
      db: db(),
      engine: t.ctx.engine,
      secrets: t.ctx.secrets,
      logger: t.ctx.logger,
      leaseSeconds: 30,
      enqueueExecutions: async () => {},
      refreshConnection: createConnectionRefresher(t.ctx.registry, t.ctx.engine.settingsFor),
    }
    const repo = github.addRepo('octo/app')
    repo.issues.push({ number: 7, title: 'Broken build', state: 'open' })
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
    await provider?.close()
    await github?.close()
  })

  it('connects, refreshes the expiring token before the reaction, and comments with the new token', async () => {
    const { authorizeUrl } = (await me.call('GET', '/v1/connections/github/authorize')).json()
    const { callback, answer } = await connectInBrowser(injectBrowser(app), authorizeUrl, provider)
    secretsSeen.push(new URL(callback).searchParams.get('code') ?? 'no-code')
    expect(answer.status, answer.body).toBe(200)
    const first = await connection()
    const firstTokens = JSON.parse(t.ctx.secrets.open(first.credentials_encrypted))
    secretsSeen.push(firstTokens.refreshToken)

    const applied = await me.call('PUT', '/v1/areas/comment-on-hook', {
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'comment-on-hook' },
      spec: {
        action: { service: 'test', action: 'hook' },
        reactions: [
          {
            id: 'c',
            service: 'github',
            reaction: 'comment',
            connection: 'github',
            params: {
              repo: 'octo/app',
              issue_number: '{{ trigger.issue }}',
              body: 'Seen: {{ trigger.text }}',
            },
          },
        ],
      },
    })
    expect(applied.statusCode, applied.body).toBe(201)

    // The first access token expires in 20 s and GitHub no longer takes it: only a refresh works.
    await expireSoon()
    github.tokens.delete(firstTokens.accessToken)
    const execution = await runOnce({ issue: 7, text: 'hello' })
    expect(execution, execution.error_text ?? '').toMatchObject({ status: 'success' })

    expect(provider.grants.map((g) => g.grantType)).toEqual(['authorization_code', 'refresh_token'])
    const refreshed = provider.accessTokens.at(-1)
    const commentCall = github.requests.find(
      (r) => r.method === 'POST' && r.path.endsWith('/issues/7/comments'),
    )
    expect(commentCall?.headers.authorization).toBe(`Bearer ${refreshed}`)
    expect(github.repos.get('octo/app')?.comments).toMatchObject([{ issue_number: 7, body: 'Seen: hello' }])

    const row = await connection()
    secretsSeen.push(JSON.parse(t.ctx.secrets.open(row.credentials_encrypted)).refreshToken)
    expect(row.status).toBe('active')
    expect((row.token_expires_at?.getTime() ?? 0) - Date.now()).toBeGreaterThan(3_000_000)
  })

  it('fails the run with how to reconnect when the refresh is refused, and marks the connection', async () => {
    await expireSoon()
    provider.revokeRefreshTokens()
    const execution = await runOnce({ issue: 7, text: 'again' })
    expect(execution.status).toBe('failed')
    expect(execution.error_text).toContain(
      'connection "github" needs to be reconnected: area connections add github --name github --web',
    )
    expect(github.repos.get('octo/app')?.comments).toHaveLength(1)

    const listed = (await me.call('GET', '/v1/connections')).json().items
    expect(listed).toEqual([
      expect.objectContaining({
        name: 'github',
        kind: 'oauth2',
        status: 'refresh_failed',
        statusDetail: expect.stringContaining('invalid_grant'),
      }),
    ])
  })

  it('never lets a token, refresh token or code reach the logs, the API answers or the database in clear', async () => {
    expect(secretsSeen.length).toBeGreaterThanOrEqual(5)
    const logs = logLines.join('')
    // The capture works: the API and the worker did log.
    expect(logs).toContain('request completed')
    expect(logs).toContain('/v1/connections/github/callback?code=[redacted]&state=[redacted]')
    const answers = [
      (await me.call('GET', '/v1/connections')).body,
      (await me.call('GET', '/v1/areas/comment-on-hook')).body,
    ].join('\n')
    const rows = await db().selectFrom('user_services').select('credentials_encrypted').execute()
    const audit = await db().selectFrom('audit_logs').select('metadata').execute()
    const executions = await db()
      .selectFrom('execution_logs')
      .select(['request_payload', 'response_payload', 'error_text'])
      .execute()
    const stored = JSON.stringify([rows, audit, executions])
    for (const secret of secretsSeen) {
      expect(logs).not.toContain(secret)
      expect(answers).not.toContain(secret)
      expect(stored).not.toContain(secret)
    }
  })
})
