/**
 * GitHub webhook deliveries as GitHub sends them: the headers it sets (X-GitHub-Event,
 * X-GitHub-Delivery, X-GitHub-Hook-ID, X-Hub-Signature-256, the legacy sha1 one) and payloads
 * with the documented field names, trimmed to what matters.
 */
import { createHmac, randomUUID } from 'node:crypto'

const repository = {
  id: 1296269,
  node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
  name: 'hello-world',
  full_name: 'octocat/hello-world',
  private: false,
  owner: { login: 'octocat', id: 1, type: 'User' },
  html_url: 'https://github.com/octocat/hello-world',
  default_branch: 'main',
}
const sender = { login: 'octocat', id: 1, type: 'User', html_url: 'https://github.com/octocat' }

export function pushPayload(ref: string, message = 'Fix all the bugs') {
  const after = '59b20b8d5c6ff8d09518454d4dd8b7b30f095ab5'
  const commit = {
    id: after,
    tree_id: 'f9d2a07e9488b91af2641b26b9407fe22a451433',
    distinct: true,
    message,
    timestamp: '2025-03-01T10:20:30+01:00',
    url: `https://github.com/octocat/hello-world/commit/${after}`,
    author: { name: 'Monalisa Octocat', email: 'mona@github.com', username: 'octocat' },
    committer: { name: 'Monalisa Octocat', email: 'mona@github.com', username: 'octocat' },
    added: [],
    removed: [],
    modified: ['README.md'],
  }
  return {
    ref,
    before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
    after,
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: 'https://github.com/octocat/hello-world/compare/6113728f27ae...59b20b8d5c6f',
    commits: [commit],
    head_commit: commit,
    repository,
    pusher: { name: 'octocat', email: 'mona@github.com' },
    sender,
  }
}

export function issuesPayload(action: string, number = 1347, title = 'Found a bug') {
  return {
    action,
    issue: {
      id: 1,
      node_id: 'MDU6SXNzdWUx',
      url: `https://api.github.com/repos/octocat/hello-world/issues/${number}`,
      html_url: `https://github.com/octocat/hello-world/issues/${number}`,
      number,
      state: action === 'closed' ? 'closed' : 'open',
      title,
      body: 'I am having a problem with this.',
      user: sender,
      labels: [],
      assignees: [],
      comments: 0,
      created_at: '2025-03-01T10:20:30Z',
    },
    repository,
    sender,
  }
}

export function pullRequestPayload(action: string, number = 2) {
  return {
    action,
    number,
    pull_request: {
      id: 279147437,
      url: `https://api.github.com/repos/octocat/hello-world/pulls/${number}`,
      html_url: `https://github.com/octocat/hello-world/pull/${number}`,
      number,
      state: 'open',
      title: 'Update the README with new information',
      body: 'This is a pretty simple change.',
      user: sender,
      draft: false,
      head: { ref: 'changes', sha: '34c5c7793cb3b279e22454cb6750c80560547b3a' },
      base: { ref: 'main', sha: 'a10867b14bb761a232cd80139fbd4c0d33264240' },
    },
    repository,
    sender,
  }
}

export function releasePayload(action: string, tag = 'v1.0.0') {
  return {
    action,
    release: {
      id: 11248810,
      url: `https://api.github.com/repos/octocat/hello-world/releases/11248810`,
      html_url: `https://github.com/octocat/hello-world/releases/tag/${tag}`,
      tag_name: tag,
      target_commitish: 'main',
      name: tag,
      draft: false,
      prerelease: false,
      author: sender,
      body: null,
      created_at: '2025-03-01T10:20:30Z',
      published_at: '2025-03-01T10:20:31Z',
      assets: [],
    },
    repository,
    sender,
  }
}

export function pingPayload() {
  return {
    zen: 'Design for failure.',
    hook_id: 109948940,
    hook: {
      type: 'Repository',
      id: 109948940,
      active: true,
      events: ['*'],
      config: { content_type: 'json', insecure_ssl: '0' },
    },
    repository,
    sender,
  }
}

export interface GitHubDelivery {
  headers: Record<string, string>
  body: string
  deliveryId: string
}

/** What GitHub POSTs: signed with the hook secret over the exact bytes sent. */
export function gitHubDelivery(
  event: string,
  payload: unknown,
  secret: string,
  deliveryId = randomUUID(),
): GitHubDelivery {
  const body = JSON.stringify(payload)
  return {
    body,
    deliveryId,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/044aadd',
      'x-github-event': event,
      'x-github-delivery': deliveryId,
      'x-github-hook-id': '109948940',
      'x-github-hook-installation-target-id': '1296269',
      'x-github-hook-installation-target-type': 'repository',
      'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
  }
}
