import { defineService } from '../../engine/define.js'
import { cron } from './actions/cron.js'
import { every } from './actions/every.js'

export const timer = defineService({
  id: 'timer',
  name: 'Timer',
  description: 'Fires on a fixed interval or on a cron schedule',
  auth: { kind: 'none' },
  actions: [every, cron],
  reactions: [],
})
