/**
 * GitHub's webhook actions. One hook URL receives whatever events the user ticked on GitHub;
 * each action keeps the deliveries of its own event (and `action`), answers a ping, and
 * accepts the others with no event, so GitHub does not mark the hook as failing.
 */
import { createHash } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import {
  type ActionDefinition,
  defineAction,
  type WebhookHandler,
  type WebhookReceipt,
  type WebhookRequest,
} from '../../../engine/define.js'
import type { JsonObject } from '../../../engine/types.js'
import { issuesEvent, pullRequestEvent, pushEvent, releaseEvent } from '../events.js'
import { verifyGitHubSignature } from '../signature.js'

interface Wanted {
  event: string
  /** The payload's `action` that fires, for events that carry one. */
  action?: string
}

function header(headers: WebhookRequest['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

function gitHubWebhook<P>(wanted: Wanted): WebhookHandler<P> {
  return {
    verify: (ctx) =>
      verifyGitHubSignature(ctx.secret, ctx.request.headers['x-hub-signature-256'], ctx.request.rawBody),
    receive(ctx): WebhookReceipt {
      const guid = header(ctx.request.headers, 'x-github-delivery')
      if (!guid) {
        return {
          events: [],
          response: {
            status: 400,
            body: {
              code: 'missing_delivery_id',
              detail:
                'the X-GitHub-Delivery header is missing; GitHub sends it with every delivery, so this request was not sent by GitHub as is',
            },
          },
        }
      }
      const deliveryId = bodyDeliveryId(ctx.request.rawBody)
      const event = header(ctx.request.headers, 'x-github-event')
      const payload = payloadOf(ctx.request.body)
      if (event === 'ping') {
        return {
          deliveryId,
          events: [],
          response: {
            status: 200,
            body: { ok: true, zen: typeof payload?.zen === 'string' ? payload.zen : null },
          },
        }
      }
      const ignored = (reason: string) => ({
        deliveryId,
        events: [],
        response: { status: 200, body: { ok: true, ignored: reason } },
      })
      if (event !== wanted.event) return ignored(`event ${event ?? '(none)'} is not ${wanted.event}`)
      if (!payload) return ignored('the body is not a JSON object')
      if (wanted.action !== undefined && payload.action !== wanted.action) {
        return ignored(`${wanted.event} action ${String(payload.action)} is not ${wanted.action}`)
      }
      return { deliveryId, events: [payload] }
    },
  }
}

/**
 * The dedup key of a delivery: the digest of the signed body, not X-GitHub-Delivery. GitHub does
 * not sign that header, so a captured delivery replayed under new ids would otherwise become a
 * new event each time (issue 11, point 13). Two real deliveries never share a body (each carries
 * its own ids and times), and GitHub's own redelivery of one is the same event. The key lasts as
 * long as the event's row, i.e. AREA_LOG_RETENTION_DAYS (README, "Network and credentials").
 */
export function bodyDeliveryId(rawBody: Buffer): string {
  return `sha256:${createHash('sha256').update(rawBody).digest('hex')}`
}

/**
 * The JSON payload. Hooks set to `application/x-www-form-urlencoded` send it as the `payload`
 * form field instead of the body.
 */
function payloadOf(body: unknown): JsonObject | undefined {
  let value = body
  const form = isObject(value) ? value.payload : undefined
  if (typeof form === 'string' && Object.keys(value as object).length === 1) {
    try {
      value = JSON.parse(form)
    } catch {
      return undefined
    }
  }
  return isObject(value) ? (value as JsonObject) : undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

const noParams = Type.Object({}, { additionalProperties: false })

// The examples follow GitHub's documented webhook payloads (test/support/fakes/github-webhooks.ts).
const exampleSender = {
  login: 'octocat',
  id: 1,
  type: 'User',
  html_url: 'https://github.com/octocat',
}
const exampleRepository = {
  id: 1296269,
  name: 'hello-world',
  full_name: 'octocat/hello-world',
  private: false,
  owner: { login: 'octocat', id: 1, type: 'User' },
  html_url: 'https://github.com/octocat/hello-world',
  default_branch: 'main',
}
const exampleCommit = {
  id: '59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5',
  message: 'Fix all the bugs',
  timestamp: '2025-03-01T10:20:30+01:00',
  url: 'https://github.com/octocat/hello-world/commit/59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5',
  author: { name: 'Monalisa Octocat', email: 'mona@github.com', username: 'octocat' },
  committer: { name: 'Monalisa Octocat', email: 'mona@github.com', username: 'octocat' },
  added: [],
  removed: [],
  modified: ['README.md'],
}
const webhookNote =
  'Add the AREA’s webhook URL and secret to the repository’s webhooks (content type application/json)'

export const push = defineAction({
  id: 'push',
  name: 'Push',
  description: `Fires on each push to the repository; the event is GitHub's push payload. ${webhookNote}, event "push"`,
  params: Type.Object(
    {
      branch: Type.Optional(
        Type.String({
          description: 'Fire only for pushes to this branch (matches refs/heads/<branch>); empty: every ref',
          default: '',
          examples: ['main'],
        }),
      ),
    },
    { additionalProperties: false },
  ),
  requiresConnection: false,
  webhook: gitHubWebhook({ event: 'push' }),
  trigger(ctx) {
    const branch = ctx.params.branch?.trim()
    if (!branch) return { triggered: true, event: ctx.event }
    const ref = ctx.event.ref
    if (ref === `refs/heads/${branch}`) return { triggered: true, event: ctx.event }
    return {
      triggered: false,
      reason: `push to ${typeof ref === 'string' ? ref : '(no ref)'}, not refs/heads/${branch}`,
    }
  },
  event: pushEvent,
  exampleEvent: {
    ref: 'refs/heads/main',
    before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
    after: '59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5',
    created: false,
    deleted: false,
    forced: false,
    compare: 'https://github.com/octocat/hello-world/compare/6113728f27ae...59b20b8d5c6f',
    commits: [exampleCommit],
    head_commit: exampleCommit,
    pusher: { name: 'octocat', email: 'mona@github.com' },
    repository: exampleRepository,
    sender: exampleSender,
  },
})

export const issueOpened = defineAction({
  id: 'issue_opened',
  name: 'Issue opened',
  description: `Fires when an issue is opened; the event is GitHub's issues payload. ${webhookNote}, event "issues"`,
  params: noParams,
  requiresConnection: false,
  webhook: gitHubWebhook({ event: 'issues', action: 'opened' }),
  event: issuesEvent,
  exampleEvent: {
    action: 'opened',
    issue: {
      id: 1,
      number: 1347,
      title: 'Found a bug',
      body: 'I am having a problem with this.',
      state: 'open',
      html_url: 'https://github.com/octocat/hello-world/issues/1347',
      url: 'https://api.github.com/repos/octocat/hello-world/issues/1347',
      user: exampleSender,
      labels: [{ name: 'bug', color: 'd73a4a' }],
      assignees: [],
      comments: 0,
      created_at: '2025-03-01T10:20:30Z',
    },
    repository: exampleRepository,
    sender: exampleSender,
  },
})

export const pullRequestOpened = defineAction({
  id: 'pull_request_opened',
  name: 'Pull request opened',
  description: `Fires when a pull request is opened; the event is GitHub's pull_request payload. ${webhookNote}, event "pull_request"`,
  params: noParams,
  requiresConnection: false,
  webhook: gitHubWebhook({ event: 'pull_request', action: 'opened' }),
  event: pullRequestEvent,
  exampleEvent: {
    action: 'opened',
    number: 2,
    pull_request: {
      id: 279147437,
      number: 2,
      title: 'Update the README with new information',
      body: 'This is a pretty simple change.',
      state: 'open',
      html_url: 'https://github.com/octocat/hello-world/pull/2',
      url: 'https://api.github.com/repos/octocat/hello-world/pulls/2',
      user: exampleSender,
      draft: false,
      head: { ref: 'changes', sha: '34c5c7793cb3b279e22454cb6750c80560547b3a' },
      base: { ref: 'main', sha: 'a10867b14bb761a232cd80139fbd4c0d33264240' },
    },
    repository: exampleRepository,
    sender: exampleSender,
  },
})

export const releasePublished = defineAction({
  id: 'release_published',
  name: 'Release published',
  description: `Fires when a release is published; the event is GitHub's release payload. ${webhookNote}, event "release"`,
  params: noParams,
  requiresConnection: false,
  webhook: gitHubWebhook({ event: 'release', action: 'published' }),
  event: releaseEvent,
  exampleEvent: {
    action: 'published',
    release: {
      id: 11248810,
      tag_name: 'v1.0.0',
      name: 'v1.0.0',
      body: 'Description of the release',
      draft: false,
      prerelease: false,
      html_url: 'https://github.com/octocat/hello-world/releases/tag/v1.0.0',
      url: 'https://api.github.com/repos/octocat/hello-world/releases/11248810',
      target_commitish: 'main',
      author: exampleSender,
      created_at: '2025-03-01T10:20:30Z',
      published_at: '2025-03-01T10:20:31Z',
      assets: [],
    },
    repository: exampleRepository,
    sender: exampleSender,
  },
})

export const webhookActions: ActionDefinition[] = [push, issueOpened, pullRequestOpened, releasePublished]
