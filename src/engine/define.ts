/**
 * The service contract. A service is a typed object literal built with these factories; its
 * handlers receive everything through one context argument and never import the database,
 * the queue or the HTTP server. Params are typed from their TypeBox schema; credentials are
 * declared in credentials.ts.
 */
import type { Static, TObject, TSchema } from '@sinclair/typebox'
import type { ServiceAuth } from './credentials.js'
import type { Credentials, JsonObject, JsonValue, Logger } from './types.js'

/** A setting read from the environment, e.g. a base URL that tests and self-hosters override. */
export interface ServiceSetting {
  env: string
  default: string
  description: string
}

/** Context every handler receives. */
export interface HandlerContext<P> {
  params: P
  /** The connection's credentials as stored, when the action or reaction uses one (`parseAuth`). */
  auth: Credentials | undefined
  /** Resolved service settings (env value or default), keyed as declared. */
  settings: Readonly<Record<string, string>>
  logger: Logger
  signal: AbortSignal
}

export interface PolledItem {
  /** Stable identity of the item: the engine fires each key once per hook job. */
  key: string
  event: JsonObject
}

export interface PollResult {
  items: PolledItem[]
  /** Cursor kept by the engine and handed back on the next poll. */
  state?: JsonObject
}

export interface PollContext<P> extends HandlerContext<P> {
  /** What the previous poll returned as `state` (undefined on the first poll). */
  state: JsonObject | undefined
  /** The schedule slot this poll is for (not the wall-clock time it runs at). */
  scheduledAt: Date
  hookJobId: string
}

/** How often a polling action runs. */
export type Schedule =
  | { kind: 'interval'; seconds: number }
  | { kind: 'cron'; expression: string; timezone: string }

export interface PollingHandler<P> {
  /** Interval used when the AREA file does not say; in seconds. */
  defaultIntervalSeconds: number
  /** Lower bound for a user-chosen interval; in seconds. */
  minIntervalSeconds?: number
  /** When the cadence comes from the params (timer actions), not from `trigger.polling`. */
  schedule?(params: P): Schedule
  /**
   * `baseline` (default): items present at the first poll are remembered, not fired.
   * `fire`: every new key fires from the first poll on (timer ticks).
   */
  firstPoll?: 'baseline' | 'fire'
  /**
   * True when a poll's event is its slot itself (timer ticks): a missed slot can be fired on its
   * own later, so `catch_up: all` is offered. A source's poll reports what changed since the last
   * one, whatever slots were missed: replaying slots would fire nothing more.
   */
  slotEvents?: boolean
  poll(ctx: PollContext<P>): Promise<PollResult>
}

export interface WebhookRequest {
  headers: Readonly<Record<string, string | string[] | undefined>>
  rawBody: Buffer
  /** The body parsed by content type (JSON or form), or undefined when it did not parse. */
  body: unknown
  query: Readonly<Record<string, string | string[] | undefined>>
  /**
   * The URL the sender posted to as this server's public URL names it (AREA_PUBLIC_URL, the path
   * and the query string): what senders such as Twilio sign.
   */
  url?: string
}

export interface WebhookContext<P> extends Omit<HandlerContext<P>, 'signal'> {
  request: WebhookRequest
  /** The hook's signing secret (decrypted). */
  secret: string | undefined
  hookJobId: string
  now: Date
}

export type WebhookVerdict = { ok: true } | { ok: false; reason: string }

export interface WebhookReceipt {
  /** The sender's delivery id, deduplicated per hook; the engine derives one when absent. */
  deliveryId?: string
  /** Zero events answers 2xx and executes nothing (e.g. a ping). */
  events: JsonObject[]
  /** Overrides the default 202 answer (e.g. answering a ping with 200). */
  response?: WebhookResponse
}

/** An answer a webhook action chooses: `body` is sent as JSON, `text` as is (with `headers`). */
export interface WebhookResponse {
  status: number
  body?: JsonValue
  text?: string
  headers?: Readonly<Record<string, string>>
}

export interface WebhookHandler<P> {
  verify(ctx: WebhookContext<P>): WebhookVerdict
  receive(ctx: WebhookContext<P>): WebhookReceipt
}

export interface TriggerContext<P> {
  params: P
  event: JsonObject
  logger: Logger
}

export type TriggerResult = { triggered: false; reason: string } | { triggered: true; event: JsonObject }

export interface ActionDefinition<P = Record<string, unknown>> {
  id: string
  name: string
  description: string
  params: TObject
  /** Whether the AREA must name a connection; defaults to the service needing auth. */
  requiresConnection?: boolean
  polling?: PollingHandler<P>
  webhook?: WebhookHandler<P>
  /** The Action node: decides whether an event fires and shapes it. Default: fire as is. */
  trigger?(ctx: TriggerContext<P>): TriggerResult
  /**
   * The event this action emits (after `trigger`), as JSON Schema: what templates read as
   * `{{ trigger.… }}`. Objects the engine builds are closed; objects a vendor sends as is stay
   * open (`additionalProperties: true`) beside the fields declared (docs/architecture.md, "Typed events").
   */
  event?: TSchema
  /** An example event, valid against `event`; shown by `area services describe` and used by `area run`. */
  exampleEvent?: JsonObject
  /**
   * What `area validate` should warn about in valid params (e.g. a webhook that checks no
   * signature); paths are JSON pointers inside the params (`/verify/scheme`).
   */
  warnings?(params: P): { path: string; message: string }[]
  /**
   * JSON pointers of params (and everything under them) that are templates rendered at ingest
   * from the incoming event (`{{ trigger.… }}`), such as a webhook's synchronous answer; templates
   * anywhere else in action params are refused (docs/architecture.md, "Verifying webhooks").
   */
  eventTemplateParams?: readonly string[]
}

export interface ReactionContext<P> extends HandlerContext<P> {
  /** `<hookLogId>:<areaReactionId>`: send it where the target deduplicates requests. */
  idempotencyKey: string
  event: JsonObject
}

export interface ReactionDefinition<P = Record<string, unknown>> {
  id: string
  name: string
  description: string
  params: TObject
  requiresConnection?: boolean
  /**
   * A param a connection stands in for (Discord's `webhook_url`): the AREA gives exactly one of
   * them, or `area validate` refuses it at that param's path. Make the param optional.
   */
  connectionReplaces?: string
  /**
   * The param (a duration) that says how long `run` may take, if the params choose it: the
   * operator's ceiling refuses a longer one at apply (the worker aborts at the ceiling anyway).
   */
  timeoutParam?: string
  /** What `run` returns, as JSON Schema (docs/architecture.md, "Typed events"). */
  output?: TSchema
  /** An example of what `run` returns, valid against `output`; shown by `area services describe`. */
  exampleOutput?: JsonObject
  /** The output is what later reactions see as `{{ reactions.<id>.… }}`. */
  run(ctx: ReactionContext<P>): Promise<JsonValue | undefined>
}

export interface ServiceDefinition {
  id: string
  name: string
  description: string
  /** `{ kind: 'none' }`, or the credentials its connections hold (src/engine/credentials.ts). */
  auth: ServiceAuth
  /** Settings beside these come from the OAuth 2 block, if any (`oauthSettings`). */
  settings?: Readonly<Record<string, ServiceSetting>>
  actions: readonly ActionDefinition[]
  reactions: readonly ReactionDefinition[]
}

type ActionInput<S extends TObject> = Omit<ActionDefinition<Static<S>>, 'params'> & { params: S }
type ReactionInput<S extends TObject> = Omit<ReactionDefinition<Static<S>>, 'params'> & { params: S }

/** Declares an action; the handlers' `ctx.params` is typed from `params`. */
export function defineAction<S extends TObject>(def: ActionInput<S>): ActionDefinition {
  return def as unknown as ActionDefinition
}

/** Declares a reaction; `ctx.params` is typed from `params`. */
export function defineReaction<S extends TObject>(def: ReactionInput<S>): ReactionDefinition {
  return def as unknown as ReactionDefinition
}

export function defineService(def: ServiceDefinition): ServiceDefinition {
  return def
}

export function actionRequiresConnection(service: ServiceDefinition, action: ActionDefinition): boolean {
  return action.requiresConnection ?? service.auth.kind !== 'none'
}

export function reactionRequiresConnection(
  service: ServiceDefinition,
  reaction: ReactionDefinition,
): boolean {
  return reaction.requiresConnection ?? service.auth.kind !== 'none'
}
