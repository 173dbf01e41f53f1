/**
 * The `repo` param is `owner/name` and nothing that walks the API path: `../..` once sent the
 * connection's token outside the configured API base (issue 11, point 17).
 */
import { describe, expect, it } from 'vitest'
import { PermanentError } from '../../../src/engine/errors.js'
import { validateParams } from '../../../src/engine/params.js'
import { createRegistry } from '../../../src/engine/registry.js'
import { callGitHub } from '../../../src/services/github/api.js'
import { createIssue } from '../../../src/services/github/reactions/create-issue.js'
import { builtinServices } from '../../../src/services/index.js'
import { validateSources } from '../../../src/spec/validate-files.js'

const check = (repo: string) => validateParams(createIssue.params, { repo, title: 't' }, '/params', 'apply')

describe('github repo param', () => {
  it('refuses names that walk the path, with the field', () => {
    for (const repo of [
      '../..',
      'octo/..',
      'octo/.',
      '../x',
      'octo/a/b',
      '-x/y',
      'octo/',
      '/y',
      'a%2F../b',
    ]) {
      const result = check(repo)
      expect(result.ok, repo).toBe(false)
      if (!result.ok) expect(result.issues.map((i) => i.path)).toContain('/params/repo')
    }
  })

  it('accepts real owner/name forms', () => {
    for (const repo of ['octocat/hello-world', 'a/.github', 'Org-1/repo.name_2', 'user_acme/x..y']) {
      expect(check(repo).ok, repo).toBe(true)
    }
  })

  it('is refused when an AREA is validated for apply, at the repo field', () => {
    const text = [
      'apiVersion: area/v1',
      'kind: Area',
      'metadata: { name: escape }',
      'spec:',
      '  action: { service: timer, action: every, params: { interval: 5m } }',
      '  reactions:',
      '    - id: issue',
      '      service: github',
      '      reaction: create_issue',
      '      connection: gh',
      "      params: { repo: '../..', title: hi }",
    ].join('\n')
    const result = validateSources([{ name: 'a.yaml', text }], createRegistry(builtinServices), {})
    expect(result.valid).toBe(false)
    expect(result.issues.map((i) => i.path)).toContain('/spec/reactions/0/params/repo')
  })

  it('refuses at call time a URL that leaves the configured base, before any request', async () => {
    const call = (path: string) =>
      callGitHub({
        method: 'GET',
        path,
        auth: { token: 'ghp_secret' },
        // Not resolvable on purpose: the refusal must come before any name resolution.
        apiUrl: 'http://github.invalid/api/v3',
        signal: new AbortController().signal,
      })
    for (const path of ['/repos/../../admin', '/../x', '/repos/%2e%2e/%2E%2e/%2e%2e/x']) {
      const error = await call(path).catch((e: unknown) => e)
      expect(error, path).toBeInstanceOf(PermanentError)
      expect((error as Error).message).toMatch(/outside the API base http:\/\/github\.invalid\/api\/v3/)
    }
  })
})
