/**
 * A local GitHub REST API for the endpoints the github service uses, with GitHub's payload field
 * names, its error bodies (`{ message, documentation_url }`), its rate-limit headers, ETags and
 * 304s (which GitHub does not count against the limit), and Link pagination.
 */
import { createHash } from 'node:crypto'
import type { FakeAnswer, FakeRequest, FakeServer } from './fake-server.js'
import { startFakeServer } from './fake-server.js'

const DOCS = 'https://docs.github.com/rest'
/** Logins that may be assigned issues in every fake repository. */
const ASSIGNABLE = new Set(['octocat', 'area-bot'])

export interface FakeUser {
  login: string
  id: number
}

export interface FakeRepo {
  owner: string
  name: string
  stargazers: { user: FakeUser; starred_at: string }[]
  releases: Record<string, unknown>[]
  issues: Record<string, unknown>[]
  comments: Record<string, unknown>[]
}

export interface FakeGitHub extends FakeServer {
  /** Tokens answered as valid; any other Bearer gets 401 Bad credentials. */
  tokens: Set<string>
  repos: Map<string, FakeRepo>
  rateLimit: { limit: number; remaining: number; reset: number }
  addRepo(fullName: string): FakeRepo
  star(fullName: string, login: string, starredAt: string): void
  release(
    fullName: string,
    tag: string,
    options?: { draft?: boolean; prerelease?: boolean },
  ): Record<string, unknown>
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  let nextId = 1000
  const repos = new Map<string, FakeRepo>()
  const tokens = new Set<string>()
  const rateLimit = { limit: 5000, remaining: 5000, reset: Math.floor(Date.now() / 1000) + 3600 }

  const limitHeaders = (): Record<string, string> => ({
    'x-ratelimit-limit': String(rateLimit.limit),
    'x-ratelimit-remaining': String(rateLimit.remaining),
    'x-ratelimit-reset': String(rateLimit.reset),
    'x-ratelimit-used': String(rateLimit.limit - rateLimit.remaining),
    'x-ratelimit-resource': 'core',
    'x-github-media-type': 'github.v3; format=json',
  })
  const error = (status: number, message: string, extra: Record<string, unknown> = {}): FakeAnswer => ({
    status,
    headers: limitHeaders(),
    body: { message, documentation_url: DOCS, status: String(status), ...extra },
  })

  const htmlBase = 'https://github.com'
  const api = () => fake.url

  function route(request: FakeRequest): FakeAnswer {
    const auth = request.headers.authorization
    const token = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined
    if (!token || !tokens.has(token)) return error(401, 'Bad credentials')
    if (rateLimit.remaining <= 0) {
      return error(
        403,
        'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.',
      )
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(request.path)
    if (!match) return error(404, 'Not Found')
    const repo = repos.get(`${match[1]}/${match[2]}`)
    if (!repo) return error(404, 'Not Found')
    const rest = match[3] ?? ''

    if (request.method === 'GET' && rest === '/stargazers') {
      const star = String(request.headers.accept ?? '').includes('application/vnd.github.star+json')
      const rows = repo.stargazers.map((s) =>
        star ? { starred_at: s.starred_at, user: userOf(s.user) } : userOf(s.user),
      )
      return paged(request, rows, `/repos/${repo.owner}/${repo.name}/stargazers`)
    }
    if (request.method === 'GET' && rest === '/releases') {
      const newestFirst = [...repo.releases].reverse()
      return paged(request, newestFirst, `/repos/${repo.owner}/${repo.name}/releases`)
    }
    if (request.method === 'POST' && rest === '/issues') {
      rateLimit.remaining--
      const body = parse(request.body)
      if (!body) return error(400, 'Problems parsing JSON')
      if (typeof body.title !== 'string' || body.title === '') {
        return error(422, 'Validation Failed', {
          errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
        })
      }
      // GitHub refuses assignees who cannot be assigned in the repository.
      const unknown = ((body.assignees as string[] | undefined) ?? []).filter(
        (login) => !ASSIGNABLE.has(login),
      )
      if (unknown.length) {
        return error(422, 'Validation Failed', {
          errors: unknown.map((value) => ({ value, resource: 'Issue', field: 'assignees', code: 'invalid' })),
        })
      }
      const number = repo.issues.length + 1
      const issue = {
        id: nextId++,
        node_id: `I_${number}`,
        url: `${api()}/repos/${repo.owner}/${repo.name}/issues/${number}`,
        html_url: `${htmlBase}/${repo.owner}/${repo.name}/issues/${number}`,
        number,
        state: 'open',
        title: body.title,
        body: body.body ?? null,
        user: userOf({ login: 'area-bot', id: 42 }),
        labels: ((body.labels as string[] | undefined) ?? []).map((name, i) => ({
          id: i + 1,
          name,
          color: 'ededed',
        })),
        assignees: ((body.assignees as string[] | undefined) ?? []).map((login, i) =>
          userOf({ login, id: 500 + i }),
        ),
        comments: 0,
        created_at: new Date().toISOString(),
      }
      repo.issues.push(issue)
      return { status: 201, headers: { ...limitHeaders(), location: issue.url }, body: issue }
    }
    const comments = /^\/issues\/(\d+)\/comments$/.exec(rest)
    if (request.method === 'POST' && comments) {
      rateLimit.remaining--
      const number = Number(comments[1])
      if (!repo.issues.some((i) => i.number === number)) return error(404, 'Not Found')
      const body = parse(request.body)
      if (!body || typeof body.body !== 'string' || body.body === '') {
        return error(422, 'Validation Failed', {
          errors: [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }],
        })
      }
      const comment = {
        id: nextId++,
        node_id: `IC_${nextId}`,
        url: `${api()}/repos/${repo.owner}/${repo.name}/issues/comments/${nextId}`,
        html_url: `${htmlBase}/${repo.owner}/${repo.name}/issues/${number}#issuecomment-${nextId}`,
        issue_url: `${api()}/repos/${repo.owner}/${repo.name}/issues/${number}`,
        body: body.body,
        user: userOf({ login: 'area-bot', id: 42 }),
        created_at: new Date().toISOString(),
      }
      repo.comments.push({ ...comment, issue_number: number })
      return { status: 201, headers: { ...limitHeaders(), location: comment.url }, body: comment }
    }
    return error(404, 'Not Found')
  }

  /** A page with Link and a strong ETag of its body; a matching If-None-Match gets a free 304. */
  function paged(request: FakeRequest, rows: unknown[], path: string): FakeAnswer {
    const perPage = Math.min(100, Number(request.query.get('per_page') ?? 30))
    const page = Math.max(1, Number(request.query.get('page') ?? 1))
    const last = Math.max(1, Math.ceil(rows.length / perPage))
    const body = rows.slice((page - 1) * perPage, page * perPage)
    const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 32)}"`
    const link = (p: number, rel: string) => `<${api()}${path}?per_page=${perPage}&page=${p}>; rel="${rel}"`
    const links: string[] = []
    if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'))
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
    const headers: Record<string, string> = { ...limitHeaders(), etag }
    if (links.length) headers.link = links.join(', ')
    if (request.headers['if-none-match'] === etag) return { status: 304, headers }
    rateLimit.remaining--
    return {
      status: 200,
      headers: { ...headers, 'x-ratelimit-remaining': String(rateLimit.remaining) },
      body,
    }
  }

  function userOf(user: FakeUser) {
    return {
      login: user.login,
      id: user.id,
      node_id: `U_${user.id}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
      url: `${api()}/users/${user.login}`,
      html_url: `${htmlBase}/${user.login}`,
      type: 'User',
      site_admin: false,
    }
  }

  const server = await startFakeServer(route)
  const fake: FakeGitHub = Object.assign(server, {
    tokens,
    repos,
    rateLimit,
    addRepo(fullName: string) {
      const [owner = '', name = ''] = fullName.split('/')
      const repo: FakeRepo = { owner, name, stargazers: [], releases: [], issues: [], comments: [] }
      repos.set(fullName, repo)
      return repo
    },
    star(fullName: string, login: string, starredAt: string) {
      repos.get(fullName)?.stargazers.push({ user: { login, id: nextId++ }, starred_at: starredAt })
    },
    release(fullName: string, tag: string, options: { draft?: boolean; prerelease?: boolean } = {}) {
      const repo = repos.get(fullName)
      if (!repo) throw new Error(`no repo ${fullName}`)
      const id = nextId++
      const release = {
        url: `${api()}/repos/${fullName}/releases/${id}`,
        html_url: `${htmlBase}/${fullName}/releases/tag/${tag}`,
        id,
        node_id: `RE_${id}`,
        tag_name: tag,
        target_commitish: 'main',
        name: tag,
        body: `Release ${tag}`,
        draft: options.draft ?? false,
        prerelease: options.prerelease ?? false,
        created_at: new Date().toISOString(),
        published_at: options.draft ? null : new Date().toISOString(),
        author: userOf({ login: 'octocat', id: 1 }),
        assets: [],
      }
      repo.releases.push(release)
      return release
    },
  })
  return fake
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
