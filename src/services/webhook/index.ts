import { defineService } from '../../engine/define.js'
import { received } from './actions/received.js'

export const webhook = defineService({
  id: 'webhook',
  name: 'Webhook',
  description: 'Receives events POSTed to an AREA’s own URL, signed as Standard Webhooks describe',
  auth: { kind: 'none' },
  actions: [received],
  reactions: [],
})
