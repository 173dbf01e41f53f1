import { Type } from '@sinclair/typebox'
import { defineAction, type PolledItem } from '../../../engine/define.js'
import { RetryableError } from '../../../engine/errors.js'
import type { JsonObject } from '../../../engine/types.js'
import { callGitHub } from '../api.js'
import { user } from '../events.js'
import { repoParam, repoPath, repoPollingCadence } from '../params.js'

const PER_PAGE = 100
/** Pages read per poll when many stars arrived at once; the rest are read by the next poll. */
const MAX_PAGES_PER_POLL = 10

const params = Type.Object({ repo: repoParam }, { additionalProperties: false })

/**
 * Stargazers are listed oldest first, so new stars land on the last page. The state remembers
 * the last page read and its ETag: a poll starts there and follows `rel="next"`.
 */
interface StarState {
  page: number
  etag?: string
  /** Whether that page was full: a new star then lands on the next page, which its ETag misses. */
  full: boolean
}

export const newStar = defineAction({
  id: 'new_star',
  name: 'New star',
  description:
    'Polls the repository’s stargazers and fires for each new star; the event has the user and starred_at',
  params,
  requiresConnection: true,
  polling: {
    ...repoPollingCadence,
    async poll(ctx) {
      const path = `${repoPath(ctx.params.repo)}/stargazers`
      const state = readState(ctx.state, ctx.params.repo)
      const fetchPage = (page: number, etag?: string) =>
        callGitHub({
          method: 'GET',
          path,
          query: { per_page: String(PER_PAGE), page: String(page) },
          accept: 'application/vnd.github.star+json',
          etag,
          auth: ctx.auth,
          apiUrl: ctx.settings.apiUrl,
          signal: ctx.signal,
        })

      let page = state?.page ?? 1
      let response = await fetchPage(page, state && !state.full ? state.etag : undefined)
      if (response.status === 304) return { items: [], state: ctx.state }
      // First poll of a big repository: jump to the newest stars instead of walking every page.
      const last = linkPage(response.headers.get('link'), 'last')
      if (!state && last !== undefined && last > page) {
        page = last
        response = await fetchPage(page)
      }
      const items: PolledItem[] = []
      let rows = starsOf(response.json)
      for (let read = 1; ; read++) {
        items.push(...rows.map(toItem).filter((item): item is PolledItem => item !== undefined))
        const next = linkPage(response.headers.get('link'), 'next')
        if (next === undefined || read >= MAX_PAGES_PER_POLL) break
        page = next
        response = await fetchPage(page)
        rows = starsOf(response.json)
      }
      const next: JsonObject = { repo: ctx.params.repo, page, full: rows.length >= PER_PAGE }
      const etag = response.headers.get('etag')
      if (etag) next.etag = etag
      return { items, state: next }
    },
  },
  event: Type.Object(
    {
      starred_at: Type.String({ description: 'When the star was given (ISO 8601)' }),
      user: user,
    },
    { additionalProperties: false, description: 'A new star' },
  ),
  exampleEvent: {
    starred_at: '2025-03-01T10:20:30Z',
    user: { login: 'octocat', id: 1, html_url: 'https://github.com/octocat', type: 'User' },
  },
})

function starsOf(json: unknown): JsonObject[] {
  if (!Array.isArray(json)) {
    throw new RetryableError('GitHub stargazers answer is not a list (was the star+json media type ignored?)')
  }
  return json as JsonObject[]
}

function toItem(row: JsonObject): PolledItem | undefined {
  const user = row.user as JsonObject | null | undefined
  const login = user?.login
  if (typeof login !== 'string' || typeof row.starred_at !== 'string') return undefined
  // The same user may star, unstar and star again: each star is its own event.
  return {
    key: `${login}@${row.starred_at}`,
    event: { starred_at: row.starred_at, user: user as JsonObject },
  }
}

function readState(state: JsonObject | undefined, repo: string): StarState | undefined {
  // A different repository (params changed) starts over.
  if (!state || state.repo !== repo || typeof state.page !== 'number') return undefined
  return {
    page: state.page,
    etag: typeof state.etag === 'string' ? state.etag : undefined,
    full: state.full === true,
  }
}

/** The page number of a `rel` in GitHub's Link header. */
export function linkPage(link: string | null, rel: string): number | undefined {
  if (!link) return undefined
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="([^"]+)"/.exec(part)
    if (!match?.[1] || !match[2]?.split(/\s+/).includes(rel)) continue
    const page = Number(new URL(match[1], 'https://x.invalid').searchParams.get('page'))
    return Number.isInteger(page) && page > 0 ? page : undefined
  }
  return undefined
}
