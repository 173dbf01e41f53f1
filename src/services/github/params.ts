import { Type } from '@sinclair/typebox'

export const repoParam = Type.String({
  description: 'The repository as owner/name',
  pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$',
  examples: ['octocat/hello-world'],
})

/** `/repos/owner/name`, each part escaped (the pattern already forbids slashes inside). */
export function repoPath(repo: string): string {
  const [owner = '', name = ''] = repo.split('/')
  return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`
}

/** How often the polling actions ask GitHub: every 5 minutes by default, never under a minute. */
export const repoPollingCadence = { defaultIntervalSeconds: 300, minIntervalSeconds: 60 } as const
