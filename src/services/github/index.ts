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
  auth: {
    kind: 'oauth2',
    oauth2: {
      authorizeUrl: 'https://github.com/login/oauth/authorize',
      tokenUrl: 'https://github.com/login/oauth/access_token',
      scopes: ['repo'],
    },
  },
  settings: {
    apiUrl: {
      env: 'AREA_GITHUB_API_URL',
      default: DEFAULT_API_URL,
      description: 'GitHub REST API base URL (GitHub Enterprise: https://HOST/api/v3)',
    },
    // `area connections add github --web` needs an OAuth app registered by whoever runs the server.
    oauthClientId: {
      env: 'AREA_GITHUB_CLIENT_ID',
      default: '',
      description: 'Client id of the GitHub OAuth app used by `area connections add github --web`',
    },
    oauthClientSecret: {
      env: 'AREA_GITHUB_CLIENT_SECRET',
      default: '',
      description: 'Client secret of that OAuth app',
    },
    oauthAuthorizeUrl: {
      env: 'AREA_GITHUB_OAUTH_AUTHORIZE_URL',
      default: 'https://github.com/login/oauth/authorize',
      description: 'OAuth authorize endpoint (GitHub Enterprise: https://HOST/login/oauth/authorize)',
    },
    oauthTokenUrl: {
      env: 'AREA_GITHUB_OAUTH_TOKEN_URL',
      default: 'https://github.com/login/oauth/access_token',
      description: 'OAuth token endpoint (GitHub Enterprise: https://HOST/login/oauth/access_token)',
    },
  },
  actions: [...webhookActions, newStar, newRelease],
  reactions: [createIssue, comment],
})
