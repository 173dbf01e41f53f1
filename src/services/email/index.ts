import { defineService } from '../../engine/define.js'
import { send } from './reactions/send.js'

/** The connection (kind `smtp`) holds `{ host, port, secure, user, password, from }`: see smtp-credentials.ts. */
export const email = defineService({
  id: 'email',
  name: 'E-mail',
  description: 'Sends e-mail over SMTP with the server and login of an smtp connection',
  auth: { kind: 'smtp' },
  actions: [],
  reactions: [send],
})
