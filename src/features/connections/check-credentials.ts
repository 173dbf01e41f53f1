/**
 * The credentials `POST /v1/connections` accepts, per kind, checked against what the service
 * connects with: a token for token and OAuth services (a personal token), a URL for webhook_url,
 * SMTP settings for smtp. Only the fields the kind uses are kept.
 */
import type { ServiceDefinition } from '../../engine/define.js'
import { AreaError, ValidationError } from '../../engine/errors.js'
import type { JsonObject } from '../../engine/types.js'
import { readSmtpCredentials } from '../../services/email/smtp-credentials.js'
import { ProblemError } from './problems.js'

export type ManualKind = 'token' | 'webhook_url' | 'smtp'

export function checkCredentials(
  service: ServiceDefinition,
  kind: ManualKind,
  credentials: JsonObject,
): JsonObject {
  const accepted = acceptedKinds(service)
  if (accepted.length === 0) {
    throw new ProblemError(
      'bad_request',
      `service "${service.id}" needs no connection: its actions and reactions take what they need as params`,
    )
  }
  if (!accepted.includes(kind)) {
    throw new ValidationError([
      {
        path: '/kind',
        message: `service "${service.id}" takes a connection of kind ${accepted.join(' or ')}, not ${kind}`,
      },
    ])
  }
  switch (kind) {
    case 'token': {
      const token = credentials.token
      if (typeof token !== 'string' || token.trim() === '' || token.length > 8192) {
        throw new ValidationError([
          { path: '/credentials/token', message: 'must be a non-empty token (at most 8192 characters)' },
        ])
      }
      return { token: token.trim() }
    }
    case 'webhook_url': {
      const url = credentials.url
      if (typeof url !== 'string' || !/^https?:\/\//.test(url) || !URL.canParse(url)) {
        throw new ValidationError([
          { path: '/credentials/url', message: 'must be an http:// or https:// URL' },
        ])
      }
      return { url }
    }
    case 'smtp': {
      try {
        const smtp = readSmtpCredentials(credentials)
        const kept: JsonObject = { host: smtp.host, port: smtp.port, secure: smtp.secure }
        if (smtp.user) kept.user = smtp.user
        if (smtp.password) kept.password = smtp.password
        if (smtp.from) kept.from = smtp.from
        return kept
      } catch (error) {
        const message =
          error instanceof AreaError
            ? error.message.replace(/^the smtp connection is invalid: /, '').replace(/; add it again$/, '')
            : String(error)
        throw new ValidationError([{ path: '/credentials', message }])
      }
    }
  }
}

function acceptedKinds(service: ServiceDefinition): ManualKind[] {
  switch (service.auth.kind) {
    case 'none':
      return []
    case 'oauth2':
    case 'token':
      return ['token']
    default:
      return [service.auth.kind]
  }
}
