import { defineService } from '../../engine/define.js'
import { postMessage } from './reactions/post-message.js'

export const slack = defineService({
  id: 'slack',
  name: 'Slack',
  description: 'Posts messages to Slack channels through incoming webhooks',
  // The incoming-webhook URL is the credential and travels as a param (from an environment variable).
  auth: { kind: 'none' },
  actions: [],
  reactions: [postMessage],
})
