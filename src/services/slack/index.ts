import { defineService } from '../../engine/define.js'
import { slackCredentials } from './credentials.js'
import { postMessage } from './reactions/post-message.js'

export const slack = defineService({
  id: 'slack',
  name: 'Slack',
  description: 'Posts messages to Slack channels through incoming webhooks',
  // The webhook URL is the credential: a param, or a connection of kind webhook_url holding it.
  auth: slackCredentials,
  actions: [],
  reactions: [postMessage],
})
