/**
 * The shapes of what GitHub sends, as the github actions emit them (GitHub's REST and webhook
 * payloads, passed on as is). Each object declares the fields people read in templates and stays
 * open: GitHub sends many more (API URLs, node ids) and adds fields over time
 * (docs/architecture.md, "Typed events").
 */
import { type TProperties, type TSchema, Type } from '@sinclair/typebox'

const nullable = <T extends TSchema>(schema: T, description?: string) =>
  Type.Union([schema, Type.Null()], description ? { description } : {})
const open = <T extends TProperties>(properties: T, description: string) =>
  Type.Object(properties, { additionalProperties: true, description })

export const user = open(
  {
    login: Type.String({ description: 'The account’s login' }),
    id: Type.Integer(),
    html_url: Type.Optional(Type.String({ description: 'The account’s page on GitHub' })),
    type: Type.Optional(Type.String({ description: 'User, Organization or Bot' })),
  },
  'A GitHub account',
)

export const repository = open(
  {
    id: Type.Integer(),
    name: Type.String({ description: 'Repository name, e.g. hello-world' }),
    full_name: Type.String({ description: 'owner/name' }),
    private: Type.Optional(Type.Boolean()),
    owner: Type.Optional(user),
    html_url: Type.Optional(Type.String()),
    default_branch: Type.Optional(Type.String()),
  },
  'The repository',
)

const label = open(
  { name: Type.String({ description: 'Label name' }), color: Type.Optional(Type.String()) },
  'A label',
)

export const issue = open(
  {
    id: Type.Integer(),
    number: Type.Integer({ description: 'Issue number in the repository' }),
    title: Type.String(),
    body: Type.Optional(nullable(Type.String(), 'Issue text (Markdown)')),
    state: Type.Optional(Type.String({ description: 'open or closed' })),
    html_url: Type.String({ description: 'The issue’s page' }),
    url: Type.Optional(Type.String({ description: 'The issue in the REST API' })),
    user: user,
    labels: Type.Optional(Type.Array(label)),
    assignees: Type.Optional(Type.Array(user)),
    comments: Type.Optional(Type.Integer({ description: 'Number of comments' })),
    created_at: Type.Optional(Type.String({ description: 'ISO 8601 time' })),
  },
  'The issue',
)

const branchRef = open(
  { ref: Type.String({ description: 'Branch name' }), sha: Type.String({ description: 'Commit id' }) },
  'A branch and its commit',
)

export const pullRequest = open(
  {
    id: Type.Integer(),
    number: Type.Integer({ description: 'Pull request number in the repository' }),
    title: Type.String(),
    body: Type.Optional(nullable(Type.String(), 'Description (Markdown)')),
    state: Type.Optional(Type.String({ description: 'open or closed' })),
    html_url: Type.String({ description: 'The pull request’s page' }),
    url: Type.Optional(Type.String()),
    user: user,
    draft: Type.Optional(Type.Boolean()),
    head: Type.Optional(branchRef),
    base: Type.Optional(branchRef),
  },
  'The pull request',
)

export const release = open(
  {
    id: Type.Integer(),
    tag_name: Type.String({ description: 'The tag, e.g. v1.0.0' }),
    name: nullable(Type.String(), 'Release title'),
    body: Type.Optional(nullable(Type.String(), 'Release notes (Markdown)')),
    draft: Type.Boolean(),
    prerelease: Type.Boolean(),
    html_url: Type.String({ description: 'The release’s page' }),
    url: Type.Optional(Type.String()),
    target_commitish: Type.Optional(Type.String()),
    author: Type.Optional(user),
    created_at: Type.Optional(Type.String()),
    published_at: nullable(Type.String(), 'ISO 8601 time'),
    assets: Type.Optional(Type.Array(open({ name: Type.String() }, 'An attached file'))),
  },
  'The release',
)

const commitPerson = open(
  {
    name: Type.String(),
    email: Type.String(),
    username: Type.Optional(Type.String({ description: 'GitHub login, when known' })),
  },
  'A commit author or committer',
)

const commit = open(
  {
    id: Type.String({ description: 'Commit id' }),
    message: Type.String(),
    timestamp: Type.String(),
    url: Type.String({ description: 'The commit’s page' }),
    author: commitPerson,
    committer: Type.Optional(commitPerson),
    added: Type.Optional(Type.Array(Type.String())),
    removed: Type.Optional(Type.Array(Type.String())),
    modified: Type.Optional(Type.Array(Type.String())),
  },
  'A pushed commit',
)

/** What every webhook delivery carries beside its own objects. */
const deliveryFields = { repository, sender: user }

export const pushEvent = open(
  {
    ref: Type.String({ description: 'The pushed ref, e.g. refs/heads/main' }),
    before: Type.String({ description: 'Commit id before the push' }),
    after: Type.String({ description: 'Commit id after the push' }),
    created: Type.Optional(Type.Boolean()),
    deleted: Type.Optional(Type.Boolean()),
    forced: Type.Optional(Type.Boolean()),
    compare: Type.Optional(Type.String({ description: 'Page comparing before and after' })),
    commits: Type.Array(commit, { description: 'Up to 20 pushed commits' }),
    head_commit: nullable(commit),
    pusher: open({ name: Type.String(), email: Type.Optional(nullable(Type.String())) }, 'Who pushed'),
    ...deliveryFields,
  },
  'GitHub’s push payload',
)

export const issuesEvent = open(
  { action: Type.Literal('opened'), issue, ...deliveryFields },
  'GitHub’s issues payload',
)

export const pullRequestEvent = open(
  {
    action: Type.Literal('opened'),
    number: Type.Integer({ description: 'Pull request number' }),
    pull_request: pullRequest,
    ...deliveryFields,
  },
  'GitHub’s pull_request payload',
)

export const releaseEvent = open(
  { action: Type.Literal('published'), release, ...deliveryFields },
  'GitHub’s release payload',
)
