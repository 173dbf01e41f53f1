/** What a slack connection holds: the webhook URL (kind webhook_url), instead of the webhook_url param. */
import { webhookUrlCredentials } from '../../net/webhook-post.js'

export const slackCredentials = webhookUrlCredentials('Slack incoming-webhook')
