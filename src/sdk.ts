/**
 * The public entry point for services written outside this repository: `import { defineService }
 * from 'area/sdk'` (package.json "exports"). It is the API the built-in services use, no more: the
 * factories, the credentials helpers, the errors that steer retries, TypeBox's `Type`, the guarded
 * HTTP client, and the handler context types. A server that loads a plugin hands it this module
 * of its own build, whatever copy the plugin installed (docs/architecture.md, "Service plugins").
 */

export type { Static, TObject, TSchema } from '@sinclair/typebox'
export { Type } from '@sinclair/typebox'
export {
  accept,
  type CredentialsCheck,
  type CredentialsDeclaration,
  type CredentialsInput,
  declarationsOf,
  defineCredentials,
  type NoCredentials,
  type OAuth2Declaration,
  parseAuth,
  parseAuthOf,
  refuse,
  type ServiceAuth,
  tokenCredentials,
} from './engine/credentials.js'
export {
  type ActionDefinition,
  defineAction,
  defineReaction,
  defineService,
  type HandlerContext,
  type PollContext,
  type PolledItem,
  type PollingHandler,
  type PollResult,
  type ReactionContext,
  type ReactionDefinition,
  type Schedule,
  type ServiceDefinition,
  type ServiceSetting,
  type TriggerContext,
  type TriggerResult,
  type WebhookContext,
  type WebhookHandler,
  type WebhookReceipt,
  type WebhookRequest,
  type WebhookResponse,
  type WebhookVerdict,
} from './engine/define.js'
export { type Issue, PermanentError, RetryableError } from './engine/errors.js'
export type { Credentials, JsonObject, JsonValue, Logger } from './engine/types.js'
export { bodyText, type HttpRequest, type HttpResponse, sendHttpRequest } from './net/client.js'
export { isRetryableStatus, statusError } from './net/http-errors.js'
export { parseTarget, type Target } from './net/target.js'
