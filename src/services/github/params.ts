import { Type } from '@sinclair/typebox'

/**
 * `owner/name` as GitHub allows them: an owner starts with a letter or digit (letters, digits,
 * `-`, and `_` for managed-user suffixes), a name is letters, digits, `.`, `_`, `-` but never
 * `.` or `..`, which would walk up the API's path and leave the configured base with the token.
 */
export const REPO_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,99}/(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,100}$'

export const repoParam = Type.String({
  description: 'The repository as owner/name',
  pattern: REPO_PATTERN,
  examples: ['octocat/hello-world'],
})

/** `/repos/owner/name`, each part escaped (the pattern already forbids slashes inside). */
export function repoPath(repo: string): string {
  const [owner = '', name = ''] = repo.split('/')
  return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`
}

/** How often the polling actions ask GitHub: every 5 minutes by default, never under a minute. */
export const repoPollingCadence = { defaultIntervalSeconds: 300, minIntervalSeconds: 60 } as const
