/** GitLab: the webhook's secret token, sent as is in `X-Gitlab-Token`. */
import type { TokenSettings } from './token.js'

export const gitlab: TokenSettings = { header: 'X-Gitlab-Token' }
