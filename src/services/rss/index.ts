import { defineService } from '../../engine/define.js'
import { DEFAULT_USER_AGENT } from '../../net/request-params.js'
import { newItem } from './actions/new-item.js'

export const rss = defineService({
  id: 'rss',
  name: 'RSS and Atom',
  description: 'Watches RSS 2.0 and Atom feeds for new items',
  auth: { kind: 'none' },
  settings: {
    userAgent: {
      env: 'AREA_RSS_USER_AGENT',
      default: DEFAULT_USER_AGENT,
      description: 'User-Agent header sent to feeds',
    },
  },
  actions: [newItem],
  reactions: [],
})
