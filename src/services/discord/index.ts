import { defineService } from '../../engine/define.js'
import { sendMessage } from './reactions/send-message.js'

export const discord = defineService({
  id: 'discord',
  name: 'Discord',
  description: 'Posts messages to Discord channels through channel webhooks',
  // The webhook URL is the credential and travels as a param (from an environment variable).
  auth: { kind: 'none' },
  actions: [],
  reactions: [sendMessage],
})
