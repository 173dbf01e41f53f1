import { defineService } from '../../engine/define.js'
import { ALLOW_PRIVATE_ENV } from '../../net/address-guard.js'
import { DEFAULT_USER_AGENT } from '../../net/request-params.js'
import { jsonChanged } from './actions/json-changed.js'
import { httpCredentials } from './credentials.js'
import { request } from './reactions/request.js'

export const http = defineService({
  id: 'http',
  name: 'HTTP',
  description: 'Calls any HTTP endpoint, and watches JSON documents for changes',
  // Optional for both: a connection authenticates calls to its base URL (credentials.ts).
  auth: httpCredentials,
  settings: {
    userAgent: {
      env: 'AREA_HTTP_USER_AGENT',
      default: DEFAULT_USER_AGENT,
      description: 'User-Agent header sent when an AREA does not set one',
    },
    // Declared here so the catalog documents it; the client reads the same variable for the
    // other services (rss, discord, slack, github), whose settings do not include it.
    allowPrivate: {
      env: ALLOW_PRIVATE_ENV,
      default: '',
      description:
        'Addresses requests may reach beyond public ones: unset is the mode default (none on a server, loopback for the embedded area dev); a comma list of loopback, private and CIDR ranges; "none"; or "all". Link-local and cloud-metadata addresses are refused unless "all"',
    },
  },
  actions: [jsonChanged],
  reactions: [request],
})
