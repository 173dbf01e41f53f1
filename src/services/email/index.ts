import { defineService } from '../../engine/define.js'
import { send } from './reactions/send.js'
import { smtpCredentials } from './smtp-credentials.js'

export const email = defineService({
  id: 'email',
  name: 'E-mail',
  description: 'Sends e-mail over SMTP with the server and login of an smtp connection',
  auth: smtpCredentials,
  actions: [],
  reactions: [send],
})
