import { defineService } from '../../engine/define.js'
import { discordCredentials } from './credentials.js'
import { sendMessage } from './reactions/send-message.js'

export const discord = defineService({
  id: 'discord',
  name: 'Discord',
  description: 'Posts messages to Discord channels through channel webhooks',
  // The webhook URL is the credential: a param, or a connection of kind webhook_url holding it.
  auth: discordCredentials,
  actions: [],
  reactions: [sendMessage],
})
