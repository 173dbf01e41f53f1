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
