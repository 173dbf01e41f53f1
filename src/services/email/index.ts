import { defineService } from '../../engine/define.js'
import { ALLOW_PRIVATE_ENV } from '../../net/address-guard.js'
import { SMTP_PORTS_ENV } from '../../net/smtp-ports.js'
import { send } from './reactions/send.js'
import { smtpCredentials } from './smtp-credentials.js'

export const email = defineService({
  id: 'email',
  name: 'E-mail',
  description: 'Sends e-mail over SMTP with the server and login of an smtp connection',
  auth: smtpCredentials,
  settings: {
    ports: {
      env: SMTP_PORTS_ENV,
      default: '',
      description: 'TCP ports e-mail may connect to, as a comma list (unset: 25,465,587,2525)',
    },
    // The same guard as HTTP: a connection's host is judged like a URL's.
    allowPrivate: {
      env: ALLOW_PRIVATE_ENV,
      default: '',
      description: 'Addresses SMTP servers may have beyond public ones (see the http service)',
    },
  },
  actions: [],
  reactions: [send],
})
