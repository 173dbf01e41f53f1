import { Type } from '@sinclair/typebox'
import { defineAction } from '../../../engine/define.js'
import { RetryableError } from '../../../engine/errors.js'
import type { JsonObject } from '../../../engine/types.js'
import { callGitHub } from '../api.js'
import { release } from '../events.js'
import { repoParam, repoPath, repoPollingCadence } from '../params.js'

const PER_PAGE = 30

const params = Type.Object(
  {
    repo: repoParam,
    include_prereleases: Type.Optional(
      Type.Boolean({ description: 'Also fire for pre-releases', default: true, examples: [false] }),
    ),
  },
  { additionalProperties: false },
)

export const newRelease = defineAction({
  id: 'new_release',
  name: 'New release',
  description:
    'Polls the repository’s releases (newest first, with If-None-Match) and fires for each new published release; the event is GitHub’s release object',
  params,
  requiresConnection: true,
  polling: {
    ...repoPollingCadence,
    async poll(ctx) {
      const sameRepo = ctx.state?.repo === ctx.params.repo
      const etag = sameRepo && typeof ctx.state?.etag === 'string' ? ctx.state.etag : undefined
      const response = await callGitHub({
        method: 'GET',
        path: `${repoPath(ctx.params.repo)}/releases`,
        query: { per_page: String(PER_PAGE) },
        etag,
        auth: ctx.auth,
        apiUrl: ctx.settings.apiUrl,
        signal: ctx.signal,
      })
      // A 304 does not count against GitHub's rate limit: it is why the ETag is kept.
      if (response.status === 304) return { items: [], state: ctx.state }
      if (!Array.isArray(response.json)) throw new RetryableError('GitHub releases answer is not a list')
      const includePre = ctx.params.include_prereleases ?? true
      const items = (response.json as JsonObject[])
        // Drafts are visible to collaborators only and are not released yet.
        .filter((r) => r.draft !== true && (includePre || r.prerelease !== true))
        .filter((r) => typeof r.id === 'number')
        .map((release) => ({ key: String(release.id), event: release }))
      const state: JsonObject = { repo: ctx.params.repo }
      const next = response.headers.get('etag')
      if (next) state.etag = next
      return { items, state }
    },
  },
  event: release,
  exampleEvent: {
    id: 11248810,
    tag_name: 'v1.0.0',
    name: 'v1.0.0',
    body: 'Description of the release',
    draft: false,
    prerelease: false,
    html_url: 'https://github.com/octocat/hello-world/releases/tag/v1.0.0',
    url: 'https://api.github.com/repos/octocat/hello-world/releases/11248810',
    target_commitish: 'main',
    author: { login: 'octocat', id: 1, type: 'User', html_url: 'https://github.com/octocat' },
    created_at: '2025-03-01T10:20:30Z',
    published_at: '2025-03-01T10:20:31Z',
    assets: [],
  },
})
