/** What a discord connection holds: the webhook URL (kind webhook_url), instead of the webhook_url param. */
import { webhookUrlCredentials } from '../../net/webhook-post.js'

export const discordCredentials = webhookUrlCredentials('Discord channel webhook')
