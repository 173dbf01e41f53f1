import { defineService } from '../../engine/define.js'
import { jsonChanged } from './actions/json-changed.js'
import { DEFAULT_USER_AGENT } from './params.js'
import { request } from './reactions/request.js'

export const http = defineService({
  id: 'http',
  name: 'HTTP',
  description: 'Calls any HTTP endpoint, and watches JSON documents for changes',
  auth: { kind: 'none' },
  settings: {
    userAgent: {
      env: 'AREA_HTTP_USER_AGENT',
      default: DEFAULT_USER_AGENT,
      description: 'User-Agent header sent when an AREA does not set one',
    },
  },
  actions: [jsonChanged],
  reactions: [request],
})
