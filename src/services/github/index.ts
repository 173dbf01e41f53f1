import { tokenCredentials } from '../../engine/credentials.js'
import { defineService } from '../../engine/define.js'
import { newRelease } from './actions/new-release.js'
import { newStar } from './actions/new-star.js'
import { webhookActions } from './actions/webhook-actions.js'
import { DEFAULT_API_URL } from './api.js'
import { comment } from './reactions/comment.js'
import { createIssue } from './reactions/create-issue.js'

/**
 * Connections: a personal token (`{ token }`) or an OAuth app's tokens (`{ accessToken, … }`),
 * sent as `Authorization: Bearer`. The webhook actions need none: GitHub signs them with the
 * hook's secret.
 */
export const github = defineService({
  id: 'github',
  name: 'GitHub',
  description: 'Reacts to pushes, issues, pull requests, releases and stars, and opens issues and comments',
  auth: tokenCredentials({
    description: 'A personal access token (classic or fine-grained) with access to the repositories',
    oauth2: {
      authorizeUrl: 'https://github.com/login/oauth/authorize',
      tokenUrl: 'https://github.com/login/oauth/access_token',
      scopes: ['repo'],
    },
  }),
  // The OAuth app (AREA_GITHUB_CLIENT_ID, AREA_GITHUB_CLIENT_SECRET) and the endpoints
  // (AREA_GITHUB_OAUTH_AUTHORIZE_URL, AREA_GITHUB_OAUTH_TOKEN_URL; GitHub Enterprise:
  // https://HOST/login/oauth/…) are settings the OAuth block brings.
  settings: {
    apiUrl: {
      env: 'AREA_GITHUB_API_URL',
      default: DEFAULT_API_URL,
      description: 'GitHub REST API base URL (GitHub Enterprise: https://HOST/api/v3)',
    },
  },
  actions: [...webhookActions, newStar, newRelease],
  reactions: [createIssue, comment],
})
