/**
 * GitHub through the real paths: webhook deliveries posted to `/webhooks/github/:hookJobId`
 * (signed like GitHub signs them) and executed by the worker; polling actions and reactions run
 * by the worker against a local GitHub API with its payloads, ETags, errors and rate limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bodyDeliveryId } from '../../../src/services/github/actions/webhook-actions.js'
import { drivers } from '../../support/db/stores.js'
import { type FakeGitHub, startFakeGitHub } from '../../support/fakes/github.js'
import {
  gitHubDelivery,
  issuesPayload,
  pingPayload,
  pullRequestPayload,
  pushPayload,
  releasePayload,
} from '../../support/fakes/github-webhooks.js'
import { expectDeclaredEvent, expectDeclaredOutput } from '../../support/services/declared-shape.js'
import {
  type AppliedArea,
  everyMinute,
  type Flow,
  failure,
  fireOnce,
  openFlow,
} from '../../support/services/flow-harness.js'
import { type HttpSink, startHttpSink } from '../../support/sink/http-sink.js'

const REPO = 'octocat/hello-world'
const TOKEN = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'

describe.each(drivers)('github through the worker (%s)', (driver) => {
  let flow: Flow
  let github: FakeGitHub
  let sink: HttpSink

  beforeAll(async () => {
    ;[github, sink] = await Promise.all([startFakeGitHub(), startHttpSink()])
    flow = await openFlow(driver, { AREA_GITHUB_API_URL: github.url })
    github.tokens.add(TOKEN)
    github.addRepo(REPO)
    await flow.addConnection('github', 'gh', 'token', { token: TOKEN })
    await flow.addConnection('github', 'gh-oauth', 'oauth2', {
      accessToken: TOKEN,
      refreshToken: 'r',
      expiresAt: null,
    })
    await flow.addConnection('github', 'gh-revoked', 'token', { token: 'ghp_revoked' })
  })
  afterAll(async () => {
    await Promise.all([flow?.dispose(), github?.close(), sink?.close()])
  })

  describe('webhook actions', () => {
    const webhookArea = (name: string, action: string, params: Record<string, unknown> = {}) =>
      flow.apply(name, {
        action: { service: 'github', action, trigger: 'webhook', params },
        reactions: [
          {
            id: 'post',
            service: 'http',
            reaction: 'request',
            params: { url: `${sink.url}/${name}`, body: '{{ trigger | json }}' },
          },
        ],
      })
    const deliver = (area: AppliedArea, event: string, payload: unknown, secret = area.secret!) => {
      const delivery = gitHubDelivery(event, payload, secret)
      return flow
        .deliver('github', area.hookJobId, delivery.headers, delivery.body)
        .then((response) => ({ response, delivery }))
    }

    it('push: verified, deduplicated by the body digest, branch filter applied by the trigger', async () => {
      const area = await webhookArea('gh-push', 'push', { branch: 'main' })
      const { response, delivery } = await deliver(area, 'push', pushPayload('refs/heads/main'))
      expect(response.statusCode).toBe(202)
      const [log] = await flow.hookLogs(area.hookJobId)
      expect(log).toMatchObject({
        delivery_id: bodyDeliveryId(Buffer.from(delivery.body)),
        event_payload: JSON.parse(delivery.body),
      })
      expect(await flow.execute(flow.enqueued.at(-1)!)).toBe('done')
      // The event is GitHub's payload as sent.
      expect(sink.requests.at(-1)?.json).toEqual(JSON.parse(delivery.body))

      // GitHub redelivers with the same X-GitHub-Delivery: no second event.
      const again = await flow.deliver('github', area.hookJobId, delivery.headers, delivery.body)
      expect(again.statusCode).toBe(200)
      expect(again.json()).toMatchObject({ duplicate: true })

      // The id is not signed: the same captured body under new ids is still one event.
      for (const id of ['replay-1', 'replay-2']) {
        const replay = await flow.deliver(
          'github',
          area.hookJobId,
          { ...delivery.headers, 'x-github-delivery': id },
          delivery.body,
        )
        expect(replay.statusCode).toBe(200)
        expect(replay.json()).toMatchObject({ duplicate: true })
      }
      expect(await flow.hookLogs(area.hookJobId)).toHaveLength(1)

      // Without X-GitHub-Delivery it is not GitHub's request: 400, nothing recorded.
      const { 'x-github-delivery': _dropped, ...headless } = delivery.headers
      const missing = await flow.deliver('github', area.hookJobId, headless, delivery.body)
      expect(missing.statusCode).toBe(400)
      expect(missing.json()).toMatchObject({ code: 'missing_delivery_id' })
      expect(await flow.hookLogs(area.hookJobId)).toHaveLength(1)

      // Another branch is recorded but skipped by the trigger node, with the reason.
      await deliver(area, 'push', pushPayload('refs/heads/feature'))
      const requests = sink.requests.length
      expect(await flow.execute(flow.enqueued.at(-1)!)).toBe('skipped')
      expect(sink.requests).toHaveLength(requests)
      const skipped = (await flow.hookLogs(area.hookJobId)).at(-1)
      expect(skipped).toMatchObject({ status: 'skipped' })
      expect(skipped?.error ?? '').toContain('refs/heads/feature')
    })

    it('refuses a bad or missing X-Hub-Signature-256 with 401 and records nothing', async () => {
      const area = await webhookArea('gh-signed', 'issue_opened')
      const forged = await deliver(area, 'issues', issuesPayload('opened'), 'not-the-secret')
      expect(forged.response.statusCode).toBe(401)
      expect(forged.response.json()).toMatchObject({ code: 'invalid_signature' })
      const unsigned = gitHubDelivery('issues', issuesPayload('opened'), area.secret!)
      delete unsigned.headers['x-hub-signature-256']
      const missing = await flow.deliver('github', area.hookJobId, unsigned.headers, unsigned.body)
      expect(missing.statusCode).toBe(401)
      expect(missing.json().detail).toContain('missing X-Hub-Signature-256')
      expect(await flow.hookLogs(area.hookJobId)).toEqual([])
    })

    it('answers ping with 200 and zen, and accepts other events and actions with no event', async () => {
      const area = await webhookArea('gh-issues', 'issue_opened')
      const ping = await deliver(area, 'ping', pingPayload())
      expect(ping.response.statusCode).toBe(200)
      expect(ping.response.json()).toEqual({ ok: true, zen: 'Design for failure.' })
      const closed = await deliver(area, 'issues', issuesPayload('closed'))
      expect(closed.response.statusCode).toBe(200)
      expect(closed.response.json()).toMatchObject({ ok: true, ignored: expect.stringContaining('closed') })
      const star = await deliver(area, 'star', { action: 'created', starred_at: '2025-03-01T10:20:30Z' })
      expect(star.response.statusCode).toBe(200)
      expect(await flow.hookLogs(area.hookJobId)).toEqual([])

      const opened = await deliver(area, 'issues', issuesPayload('opened', 7, 'Crash on start'))
      expect(opened.response.statusCode).toBe(202)
      expect(await flow.execute(flow.enqueued.at(-1)!)).toBe('done')
      expect(sink.requests.at(-1)?.json).toMatchObject({
        action: 'opened',
        issue: { number: 7, title: 'Crash on start' },
      })
    })

    it('pull_request_opened and release_published fire on their own event and action only', async () => {
      const pulls = await webhookArea('gh-pulls', 'pull_request_opened')
      expect(
        (await deliver(pulls, 'pull_request', pullRequestPayload('synchronize'))).response.statusCode,
      ).toBe(200)
      expect(
        (await deliver(pulls, 'pull_request', pullRequestPayload('opened', 12))).response.statusCode,
      ).toBe(202)
      expect(await flow.execute(flow.enqueued.at(-1)!)).toBe('done')
      expect(sink.requests.at(-1)?.json).toMatchObject({ number: 12, pull_request: { number: 12 } })

      const releases = await webhookArea('gh-releases', 'release_published')
      expect((await deliver(releases, 'release', releasePayload('created'))).response.statusCode).toBe(200)
      expect((await deliver(releases, 'issues', releasePayload('published'))).response.statusCode).toBe(200)
      expect(
        (await deliver(releases, 'release', releasePayload('published', 'v2.0.0'))).response.statusCode,
      ).toBe(202)
      expect(await flow.execute(flow.enqueued.at(-1)!)).toBe('done')
      expect(sink.requests.at(-1)?.json).toMatchObject({
        action: 'published',
        release: { tag_name: 'v2.0.0' },
      })
      expect(await flow.hookLogs(releases.hookJobId)).toHaveLength(1)
    })
  })

  describe('polling actions', () => {
    const pollingArea = (
      name: string,
      action: string,
      connection: string,
      params: Record<string, unknown> = {},
    ) =>
      flow.apply(name, {
        action: {
          service: 'github',
          action,
          connection,
          trigger: { polling: { interval: '1m' } },
          params: { repo: REPO, ...params },
        },
        reactions: [
          {
            id: 'post',
            service: 'http',
            reaction: 'request',
            params: { url: `${sink.url}/${name}`, body: '{{ trigger | json }}' },
          },
        ],
      })

    it('new_star: baseline, new stars fire once, star+json media type, If-None-Match 304 costs nothing', async () => {
      github.star(REPO, 'alice', '2025-03-01T10:00:00Z')
      const area = await pollingArea('gh-stars', 'new_star', 'gh')
      expect(await flow.poll(area.hookJobId)).toEqual({
        status: 'polled',
        baseline: true,
        fired: 0,
        requeued: 0,
      })
      const request = github.requests.at(-1)!
      expect(request.headers.accept).toBe('application/vnd.github.star+json')
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`)
      expect(request.headers['x-github-api-version']).toBe('2022-11-28')

      const remaining = github.rateLimit.remaining
      expect(await flow.poll(area.hookJobId)).toMatchObject({ fired: 0 })
      expect(github.requests.at(-1)?.headers['if-none-match']).toMatch(/^"/)
      expect(github.rateLimit.remaining).toBe(remaining)

      github.star(REPO, 'bob', '2025-03-02T10:00:00Z')
      expect(await flow.poll(area.hookJobId)).toMatchObject({ baseline: false, fired: 1 })
      expect(await flow.execute(flow.enqueued.at(-1)!)).toBe('done')
      expect(sink.requests.at(-1)?.json).toMatchObject({
        starred_at: '2025-03-02T10:00:00Z',
        user: { login: 'bob' },
      })
      // What the poll emitted, as templates saw it, matches the declared event.
      expectDeclaredEvent('github', 'new_star', sink.requests.at(-1)?.json)
      expect(await flow.poll(area.hookJobId)).toMatchObject({ fired: 0 })
    })

    it('new_star follows the pages to the newest stars', async () => {
      github.addRepo('octocat/popular')
      for (let i = 0; i < 150; i++)
        github.star('octocat/popular', `user${i}`, new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString())
      const area = await pollingArea('gh-popular', 'new_star', 'gh', { repo: 'octocat/popular' })
      expect(await flow.poll(area.hookJobId)).toMatchObject({ baseline: true })
      // The first poll jumped from page 1 to the last page.
      expect(github.requests.slice(-2).map((r) => r.query.get('page'))).toEqual(['1', '2'])
      for (let i = 150; i < 260; i++)
        github.star('octocat/popular', `user${i}`, new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString())
      expect(await flow.poll(area.hookJobId)).toMatchObject({ fired: 110 })
      expect(await flow.hookState(area.hookJobId)).toMatchObject({ page: 3, full: false })
    })

    it('new_release: fires new published releases (not drafts) with the OAuth connection', async () => {
      github.release(REPO, 'v1.0.0')
      const area = await pollingArea('gh-releases-poll', 'new_release', 'gh-oauth')
      expect(await flow.poll(area.hookJobId)).toMatchObject({ baseline: true })
      expect(await flow.poll(area.hookJobId)).toMatchObject({ fired: 0 })
      expect(github.requests.at(-1)?.headers['if-none-match']).toMatch(/^"/)
      github.release(REPO, 'v1.1.0-draft', { draft: true })
      const published = github.release(REPO, 'v1.1.0')
      expect(await flow.poll(area.hookJobId)).toMatchObject({ fired: 1 })
      expect(await flow.execute(flow.enqueued.at(-1)!)).toBe('done')
      expect(sink.requests.at(-1)?.json).toEqual(published)
      expectDeclaredEvent('github', 'new_release', sink.requests.at(-1)?.json)
    })

    it('classifies API errors: 401 permanent, rate limit retried until reset, retry-after honoured, 404 permanent', async () => {
      const revoked = await pollingArea('gh-revoked', 'new_release', 'gh-revoked')
      await expect(flow.poll(revoked.hookJobId)).rejects.toMatchObject({
        retryable: false,
        message: expect.stringContaining('the GitHub token is invalid or expired'),
      })

      const area = await pollingArea('gh-limited', 'new_release', 'gh')
      const reset = Math.floor(Date.now() / 1000) + 120
      github.rateLimit.remaining = 0
      github.rateLimit.reset = reset
      const limited = await flow.poll(area.hookJobId).catch((e: unknown) => e)
      github.rateLimit.remaining = 5000
      expect(limited).toMatchObject({
        retryable: true,
        message: expect.stringContaining('API rate limit exceeded'),
      })
      const wait = (limited as { retryAfterMs: number }).retryAfterMs
      expect(wait).toBeGreaterThan(110_000)
      expect(wait).toBeLessThanOrEqual(120_000)

      github.queued.push({
        status: 403,
        headers: { 'retry-after': '60' },
        body: { message: 'You have exceeded a secondary rate limit.' },
      })
      await expect(flow.poll(area.hookJobId)).rejects.toMatchObject({ retryable: true, retryAfterMs: 60_000 })

      const missing = await pollingArea('gh-missing', 'new_release', 'gh', { repo: 'octocat/nope' })
      await expect(flow.poll(missing.hookJobId)).rejects.toMatchObject({
        retryable: false,
        message: expect.stringContaining('404: Not Found'),
      })
    })
  })

  describe('reactions', () => {
    const reactionArea = (name: string, reactions: Record<string, unknown>[]) =>
      flow.apply(name, { action: everyMinute(), reactions })
    const createIssue = (connection: string, params: Record<string, unknown>) => ({
      id: 'issue',
      service: 'github',
      reaction: 'create_issue',
      connection,
      params,
    })

    it('create_issue then comment on it, with the created number passed through templates', async () => {
      const area = await reactionArea('gh-issue', [
        createIssue('gh', {
          repo: REPO,
          title: 'Tick {{ trigger.interval_seconds }}',
          body: 'from {{ area.name }}',
          labels: ['bug'],
          assignees: ['octocat'],
        }),
        {
          id: 'note',
          service: 'github',
          reaction: 'comment',
          connection: 'gh',
          params: {
            repo: REPO,
            issue_number: '{{ reactions.issue.number }}',
            body: 'see {{ reactions.issue.html_url }}',
          },
        },
      ])
      const job = await fireOnce(flow, area)
      expect(await flow.execute(job)).toBe('done')
      const repo = github.repos.get(REPO)!
      const issue = repo.issues.at(-1)!
      expect(issue).toMatchObject({
        title: 'Tick 60',
        body: 'from gh-issue',
        labels: [{ name: 'bug' }],
        assignees: [{ login: 'octocat' }],
      })
      expect(repo.comments.at(-1)).toMatchObject({
        issue_number: issue.number,
        body: `see ${issue.html_url}`,
      })
      const logs = await flow.executions(job.hookLogId)
      expect(logs.find((l) => l.reaction_ref === 'issue')?.response_payload).toMatchObject({
        number: issue.number,
        html_url: issue.html_url,
      })
      expectDeclaredOutput(
        'github',
        'create_issue',
        logs.find((l) => l.reaction_ref === 'issue')?.response_payload,
      )
      expectDeclaredOutput('github', 'comment', logs.find((l) => l.reaction_ref === 'note')?.response_payload)
      const post = github.requests.filter((r) => r.method === 'POST').at(-2)!
      expect(post.headers.authorization).toBe(`Bearer ${TOKEN}`)
      expect(JSON.parse(post.body)).toEqual({
        title: 'Tick 60',
        body: 'from gh-issue',
        labels: ['bug'],
        assignees: ['octocat'],
      })
    })

    it('fails permanently on 404 and 422 with GitHub’s message, on 401, and retries 5xx and rate limits', async () => {
      const missingIssue = await reactionArea('gh-comment-404', [
        {
          id: 'note',
          service: 'github',
          reaction: 'comment',
          connection: 'gh',
          params: { repo: REPO, issue_number: 9999, body: 'x' },
        },
      ])
      const notFound = await failure(flow.execute(await fireOnce(flow, missingIssue)))
      expect(notFound.errorClass).toBe('permanent')
      expect(notFound.message).toContain('404: Not Found')

      const invalid = await reactionArea('gh-issue-422', [
        createIssue('gh', { repo: REPO, title: 't', assignees: ['ghost'] }),
      ])
      const unprocessable = await failure(flow.execute(await fireOnce(flow, invalid)))
      expect(unprocessable.errorClass).toBe('permanent')
      expect(unprocessable.message).toContain('422: Validation Failed (assignees invalid "ghost")')

      const revoked = await reactionArea('gh-issue-401', [
        createIssue('gh-revoked', { repo: REPO, title: 't' }),
      ])
      const unauthorized = await failure(flow.execute(await fireOnce(flow, revoked)))
      expect(unauthorized.errorClass).toBe('permanent')
      expect(unauthorized.message).toContain('the GitHub token is invalid or expired')

      const flaky = await reactionArea('gh-issue-flaky', [createIssue('gh', { repo: REPO, title: 'flaky' })])
      const job = await fireOnce(flow, flaky)
      github.queued.push({ status: 502, body: { message: 'Server Error' } })
      expect((await failure(flow.execute(job, 1))).errorClass).toBe('retryable')
      github.queued.push({
        status: 429,
        headers: {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 30),
        },
        body: { message: 'API rate limit exceeded' },
      })
      const limited = await failure(flow.execute(job, 2))
      expect(limited.errorClass).toBe('retryable')
      expect(limited.retryAfterMs).toBeGreaterThan(20_000)
      const before = github.repos.get(REPO)!.issues.length
      expect(await flow.execute(job, 3)).toBe('done')
      expect(github.repos.get(REPO)!.issues).toHaveLength(before + 1)
    })
  })
})
