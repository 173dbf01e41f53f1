import { Type } from '@sinclair/typebox'
import { defineReaction } from '../../../engine/define.js'
import type { JsonObject } from '../../../engine/types.js'
import { callGitHub } from '../api.js'
import { repoParam, repoPath } from '../params.js'

const params = Type.Object(
  {
    repo: repoParam,
    title: Type.String({
      minLength: 1,
      description: 'Issue title',
      examples: ['Deploy of {{ trigger.ref }} failed'],
    }),
    body: Type.Optional(
      Type.String({
        description: 'Issue body (Markdown)',
        default: '',
        examples: ['See {{ trigger.html_url }}'],
      }),
    ),
    labels: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: 'Label names to set',
        default: [],
        examples: [['bug']],
      }),
    ),
    assignees: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: 'Logins to assign',
        default: [],
        examples: [['octocat']],
      }),
    ),
  },
  { additionalProperties: false },
)

export const createIssue = defineReaction({
  id: 'create_issue',
  name: 'Create an issue',
  description: 'Opens an issue in the repository; the output has number, html_url and id',
  params,
  requiresConnection: true,
  output: Type.Object(
    {
      id: Type.Union([Type.Integer(), Type.Null()], { description: 'GitHub’s id of the issue' }),
      number: Type.Union([Type.Integer(), Type.Null()], {
        description: 'The issue number, for a later comment',
      }),
      html_url: Type.Union([Type.String(), Type.Null()], { description: 'The issue’s page' }),
      url: Type.Union([Type.String(), Type.Null()], { description: 'The issue in the REST API' }),
    },
    { additionalProperties: false },
  ),
  exampleOutput: {
    id: 1,
    number: 42,
    html_url: 'https://github.com/octocat/hello/issues/42',
    url: 'https://api.github.com/repos/octocat/hello/issues/42',
  },
  async run(ctx) {
    const body: JsonObject = { title: ctx.params.title }
    if (ctx.params.body) body.body = ctx.params.body
    if (ctx.params.labels?.length) body.labels = ctx.params.labels
    if (ctx.params.assignees?.length) body.assignees = ctx.params.assignees
    const response = await callGitHub({
      method: 'POST',
      path: `${repoPath(ctx.params.repo)}/issues`,
      body,
      auth: ctx.auth,
      apiUrl: ctx.settings.apiUrl,
      signal: ctx.signal,
    })
    const issue = (response.json ?? {}) as JsonObject
    return {
      id: issue.id ?? null,
      number: issue.number ?? null,
      html_url: issue.html_url ?? null,
      url: issue.url ?? null,
    }
  },
})
