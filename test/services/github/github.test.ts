import { describe, expect, it } from 'vitest'
import type { WebhookContext } from '../../../src/engine/define.js'
import { PermanentError, RetryableError } from '../../../src/engine/errors.js'
import { silentLogger } from '../../../src/engine/types.js'
import { linkPage } from '../../../src/services/github/actions/new-star.js'
import {
  bodyDeliveryId,
  issueOpened,
  push,
  webhookActions,
} from '../../../src/services/github/actions/webhook-actions.js'
import { gitHubError } from '../../../src/services/github/api.js'
import { signGitHubPayload, verifyGitHubSignature } from '../../../src/services/github/signature.js'
import {
  gitHubDelivery,
  issuesPayload,
  pingPayload,
  pullRequestPayload,
  pushPayload,
  releasePayload,
} from '../../support/fakes/github-webhooks.js'
import { expectDeclaredEvent } from '../../support/services/declared-shape.js'

const secret = "It's a Secret to Everybody"

describe('verifyGitHubSignature', () => {
  // The example from GitHub's "Validating webhook deliveries" documentation.
  it('matches GitHub’s documented test vector', () => {
    expect(signGitHubPayload(secret, 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    )
    expect(
      verifyGitHubSignature(
        secret,
        'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
        Buffer.from('Hello, World!'),
      ),
    ).toEqual({ ok: true })
  })

  it('refuses a wrong, malformed, missing or unsigned-for signature', () => {
    const body = Buffer.from('{"zen":"Keep it logically awesome."}')
    const good = signGitHubPayload('s3cret', body)
    expect(verifyGitHubSignature('s3cret', good, body)).toEqual({ ok: true })
    expect(verifyGitHubSignature('other', good, body)).toEqual({
      ok: false,
      reason: 'X-Hub-Signature-256 does not match the body',
    })
    expect(verifyGitHubSignature('s3cret', good, Buffer.from(`${body} `))).toMatchObject({ ok: false })
    expect(verifyGitHubSignature('s3cret', good.replace('sha256=', 'sha1='), body)).toEqual({
      ok: false,
      reason: 'X-Hub-Signature-256 is not sha256=<64 hex digits>',
    })
    expect(verifyGitHubSignature('s3cret', `${good}00`, body)).toMatchObject({ ok: false })
    expect(verifyGitHubSignature('s3cret', undefined, body)).toEqual({
      ok: false,
      reason: 'missing X-Hub-Signature-256 header',
    })
    expect(verifyGitHubSignature(undefined, good, body)).toMatchObject({ ok: false })
    // A repeated header: the first value counts.
    expect(verifyGitHubSignature('s3cret', [good, 'sha256=00'], body)).toEqual({ ok: true })
  })
})

function webhookContext(event: string, payload: unknown): WebhookContext<Record<string, never>> {
  const delivery = gitHubDelivery(event, payload, 'hook-secret', 'd3f1c4a0-0000-11ef-8000-000000000001')
  return {
    params: {},
    auth: undefined,
    settings: {},
    logger: silentLogger,
    request: {
      headers: delivery.headers,
      rawBody: Buffer.from(delivery.body),
      body: JSON.parse(delivery.body),
      query: {},
    },
    secret: 'hook-secret',
    hookJobId: 'hook-job-1',
    now: new Date(),
  }
}

describe('github webhook receive', () => {
  const handler = issueOpened.webhook!

  it('verifies what GitHub signs and keeps the delivery id', () => {
    const ctx = webhookContext('issues', issuesPayload('opened'))
    expect(handler.verify(ctx)).toEqual({ ok: true })
    const receipt = handler.receive(ctx)
    // The digest of the signed body, not the unsigned X-GitHub-Delivery (issue 11, point 13).
    expect(receipt.deliveryId).toBe(bodyDeliveryId(ctx.request.rawBody))
    expect(receipt.deliveryId).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(receipt.events).toEqual([issuesPayload('opened')])
    expect(receipt.response).toBeUndefined()
  })

  it('answers ping with zen and no event', () => {
    expect(handler.receive(webhookContext('ping', pingPayload()))).toMatchObject({
      events: [],
      response: { status: 200, body: { ok: true, zen: 'Design for failure.' } },
    })
  })

  it('accepts other events and other actions with no event', () => {
    expect(handler.receive(webhookContext('issues', issuesPayload('closed')))).toMatchObject({
      events: [],
      response: { status: 200, body: { ignored: 'issues action closed is not opened' } },
    })
    expect(handler.receive(webhookContext('push', pushPayload('refs/heads/main')))).toMatchObject({
      events: [],
      response: { status: 200, body: { ignored: 'event push is not issues' } },
    })
  })
})

describe('github form-encoded deliveries', () => {
  it('reads the payload form field of a hook set to application/x-www-form-urlencoded', () => {
    const ctx = webhookContext('issues', issuesPayload('opened'))
    const form = new URLSearchParams({ payload: JSON.stringify(issuesPayload('opened', 3)) }).toString()
    const receipt = issueOpened.webhook!.receive({
      ...ctx,
      request: {
        ...ctx.request,
        rawBody: Buffer.from(form),
        body: Object.fromEntries(new URLSearchParams(form)),
      },
    })
    expect(receipt.events).toEqual([issuesPayload('opened', 3)])
  })
})

describe('github webhook events match their declared shape', () => {
  const deliveries: Record<string, [string, unknown]> = {
    push: ['push', pushPayload('refs/heads/main')],
    issue_opened: ['issues', issuesPayload('opened')],
    pull_request_opened: ['pull_request', pullRequestPayload('opened')],
    release_published: ['release', releasePayload('published')],
  }

  it.each(webhookActions.map((a) => [a.id, a] as const))('%s: receive, then trigger', (id, action) => {
    const [event, payload] = deliveries[id] ?? []
    expect(event, `a delivery for ${id}`).toBeDefined()
    const receipt = action.webhook?.receive(webhookContext(event ?? '', payload))
    expect(receipt?.events).toHaveLength(1)
    const fired = action.trigger
      ? action.trigger({ params: {}, event: receipt?.events[0] ?? {}, logger: silentLogger })
      : { triggered: true as const, event: receipt?.events[0] ?? {} }
    expect(fired.triggered).toBe(true)
    if (fired.triggered) expectDeclaredEvent('github', id, fired.event)
  })
})

describe('github push trigger', () => {
  const trigger = (branch: string | undefined, ref: string) =>
    push.trigger!({ params: { branch }, event: pushPayload(ref), logger: silentLogger })

  it('fires for every ref without a branch, and for refs/heads/<branch> only with one', () => {
    expect(trigger(undefined, 'refs/tags/v1')).toMatchObject({ triggered: true })
    expect(trigger('', 'refs/heads/dev')).toMatchObject({ triggered: true })
    expect(trigger('main', 'refs/heads/main')).toMatchObject({ triggered: true })
    expect(trigger('main', 'refs/heads/main-old')).toEqual({
      triggered: false,
      reason: 'push to refs/heads/main-old, not refs/heads/main',
    })
    expect(trigger('main', 'refs/tags/main')).toMatchObject({ triggered: false })
  })
})

describe('github API errors', () => {
  const response = (status: number, headers: Record<string, string>, body: unknown) => ({
    status,
    headers: new Headers(headers),
    body: Buffer.from(JSON.stringify(body)),
    truncated: false,
  })
  const now = 1_700_000_000_000

  it('classifies 401, rate limits, secondary limits, 403, 404, 422 and 5xx', () => {
    const unauthorized = gitHubError('GET /x', response(401, {}, { message: 'Bad credentials' }), now)
    expect(unauthorized).toBeInstanceOf(PermanentError)
    expect(unauthorized.message).toBe(
      'the GitHub token is invalid or expired (GitHub GET /x answered 401: Bad credentials)',
    )

    const limited = gitHubError(
      'GET /x',
      response(
        403,
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 90) },
        { message: 'API rate limit exceeded' },
      ),
      now,
    )
    expect(limited).toBeInstanceOf(RetryableError)
    expect((limited as RetryableError).retryAfterMs).toBe(90_000)

    const secondary = gitHubError(
      'POST /x',
      response(403, { 'retry-after': '60' }, { message: 'secondary rate limit' }),
      now,
    )
    expect((secondary as RetryableError).retryAfterMs).toBe(60_000)

    const forbidden = gitHubError(
      'POST /x',
      response(
        403,
        { 'x-ratelimit-remaining': '4999' },
        { message: 'Resource not accessible by integration' },
      ),
      now,
    )
    expect(forbidden).toBeInstanceOf(PermanentError)
    expect(forbidden.message).toContain('Resource not accessible by integration')

    expect(gitHubError('GET /x', response(404, {}, { message: 'Not Found' }), now)).toBeInstanceOf(
      PermanentError,
    )
    const invalid = gitHubError(
      'POST /x',
      response(
        422,
        {},
        {
          message: 'Validation Failed',
          errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
        },
      ),
      now,
    )
    expect(invalid.message).toBe('GitHub POST /x answered 422: Validation Failed (title missing_field)')
    expect(gitHubError('GET /x', response(502, {}, { message: 'Server Error' }), now)).toBeInstanceOf(
      RetryableError,
    )
  })
})

describe('linkPage', () => {
  const link =
    '<https://api.github.com/repositories/1/stargazers?per_page=100&page=3>; rel="next", <https://api.github.com/repositories/1/stargazers?per_page=100&page=9>; rel="last"'
  it('reads the page of a rel from GitHub’s Link header', () => {
    expect(linkPage(link, 'next')).toBe(3)
    expect(linkPage(link, 'last')).toBe(9)
    expect(linkPage(link, 'prev')).toBeUndefined()
    expect(linkPage(null, 'next')).toBeUndefined()
  })
})
