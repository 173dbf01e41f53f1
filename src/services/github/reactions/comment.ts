import { Type } from '@sinclair/typebox'
import { defineReaction } from '../../../engine/define.js'
import { PermanentError } from '../../../engine/errors.js'
import type { JsonObject } from '../../../engine/types.js'
import { callGitHub } from '../api.js'
import { repoParam, repoPath } from '../params.js'

const params = Type.Object(
  {
    repo: repoParam,
    issue_number: Type.Integer({
      minimum: 1,
      description: 'Number of the issue or pull request (a template rendering to a number is accepted)',
      examples: [42, '{{ trigger.issue.number }}'],
    }),
    body: Type.String({
      minLength: 1,
      description: 'Comment text (Markdown)',
      examples: ['Thanks, we are on it'],
    }),
  },
  { additionalProperties: false },
)

export const comment = defineReaction({
  id: 'comment',
  name: 'Comment on an issue or pull request',
  description: 'Adds a comment to an issue or a pull request; the output has id and html_url',
  params,
  requiresConnection: true,
  output: Type.Object(
    {
      id: Type.Union([Type.Integer(), Type.Null()], { description: 'GitHub’s id of the comment' }),
      html_url: Type.Union([Type.String(), Type.Null()], { description: 'The comment’s page' }),
      url: Type.Union([Type.String(), Type.Null()], { description: 'The comment in the REST API' }),
    },
    { additionalProperties: false },
  ),
  exampleOutput: {
    id: 1,
    html_url: 'https://github.com/octocat/hello/issues/42#issuecomment-1',
    url: 'https://api.github.com/repos/octocat/hello/issues/comments/1',
  },
  async run(ctx) {
    const number = Number(ctx.params.issue_number)
    if (!Number.isInteger(number) || number < 1) {
      throw new PermanentError(
        `issue_number must be a positive integer, got ${JSON.stringify(ctx.params.issue_number)}`,
      )
    }
    const response = await callGitHub({
      method: 'POST',
      path: `${repoPath(ctx.params.repo)}/issues/${number}/comments`,
      body: { body: ctx.params.body },
      auth: ctx.auth,
      apiUrl: ctx.settings.apiUrl,
      signal: ctx.signal,
    })
    const created = (response.json ?? {}) as JsonObject
    return { id: created.id ?? null, html_url: created.html_url ?? null, url: created.url ?? null }
  },
})
