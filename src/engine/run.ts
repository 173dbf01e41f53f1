/**
 * The run of one event: the Action node decides whether it fires and shapes it, then each
 * Reaction runs in position order with its params rendered from the event and earlier outputs.
 * Outcomes go through a port, so a retry skips what already succeeded (effectively-once).
 */
import type { LoadedArea, LoadedReaction } from './area.js'
import {
  AreaError,
  classifyError,
  type ErrorClass,
  errorMessage,
  formatIssues,
  PermanentError,
  RetryableError,
} from './errors.js'
import { validateParams } from './params.js'
import { type Registry, resolveSettings } from './registry.js'
import { hideSecrets, redactParams } from './secret-params.js'
import { renderTemplates, type TemplateBudget, type TemplateScope, templateBudget } from './templates.js'
import type { JsonObject, JsonValue, Logger } from './types.js'

export interface PreviousOutcome {
  status: 'running' | 'success' | 'failed' | 'skipped' | 'partial_success'
  output: JsonValue | undefined
}

/** Where the engine records what each reaction did for one event. */
export interface ExecutionPort {
  /** Outcomes recorded by earlier attempts, by area reaction id. */
  previousOutcomes(): Promise<Map<string, PreviousOutcome>>
  started(reaction: LoadedReaction, request: JsonValue): Promise<void>
  succeeded(reaction: LoadedReaction, request: JsonValue, output: JsonValue | undefined): Promise<void>
  failed(
    reaction: LoadedReaction,
    request: JsonValue | undefined,
    error: string,
    errorClass: ErrorClass,
  ): Promise<void>
}

export interface RunEventInput {
  area: LoadedArea
  event: JsonObject
  hookLogId: string
  outcomes: ExecutionPort
  logger: Logger
  signal: AbortSignal
  /** Render time and bytes for the whole event; without it, each string has the default limits. */
  templateBudget?: Pick<TemplateBudget, 'timeMs' | 'maxBytes' | 'settings'>
  /** Where params are rendered (the worker's render threads); default: here, synchronously. */
  renderParams?: RenderParams
  /** The longest a reaction may run, whatever its params say; it is aborted and retried after. */
  reactionTimeout?: { ms: number; setting?: string }
  /**
   * The keyed fingerprint of a secret (the owner's): recorded params then show each secret as
   * `<secret:FINGERPRINT>`, as everywhere else; without it, as `<secret>`.
   */
  fingerprint?: (text: string) => string
}

/** Renders one reaction's params within the event's budget, charging what it used to `budget`. */
export type RenderParams = (
  params: JsonValue | undefined,
  scope: TemplateScope,
  budget: TemplateBudget,
  path: string,
) => Promise<JsonValue | undefined>

const renderHere: RenderParams = async (params, scope, budget, path) =>
  renderTemplates(params, scope, budget, path)

/** A reaction ran past the operator's ceiling (docs/architecture.md, "One tenant against the others"). */
export class ReactionTimeoutError extends RetryableError {
  constructor(ms: number, setting: string | undefined) {
    super(
      `the reaction ran longer than the ceiling of ${ms / 1000} s${setting ? ` (${setting})` : ''} and was aborted; it is retried later`,
      { code: 'reaction_timeout' },
    )
  }
}

export type RunEventResult =
  | { status: 'skipped'; reason: string }
  | { status: 'done'; executed: string[]; reused: string[] }

/** A reaction failed; `errorClass` tells the queue whether to retry. */
export class ReactionFailedError extends AreaError {
  readonly reactionRef: string
  readonly errorClass: ErrorClass
  readonly retryAfterMs: number | undefined
  constructor(reaction: LoadedReaction, cause: unknown) {
    super('reaction_failed', `reaction "${reaction.ref}" failed: ${errorMessage(cause)}`, { cause })
    this.reactionRef = reaction.ref
    this.errorClass = classifyError(cause)
    this.retryAfterMs = (cause as { retryAfterMs?: number }).retryAfterMs
  }
}

export interface Engine {
  readonly registry: Registry
  runEvent(input: RunEventInput): Promise<RunEventResult>
  settingsFor(serviceId: string): Readonly<Record<string, string>>
}

export function createEngine(
  registry: Registry,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Engine {
  const settings = new Map(registry.services.map((s) => [s.id, resolveSettings(s, env)]))
  const settingsFor = (serviceId: string) => settings.get(serviceId) ?? {}

  async function runEvent(input: RunEventInput): Promise<RunEventResult> {
    const { area, logger, signal } = input
    const action = registry.action(area.action.service, area.action.action)
    if (!action) {
      throw new PermanentError(
        `action ${area.action.service}.${area.action.action} is not available in this build`,
      )
    }
    let event = input.event
    if (action.trigger) {
      const verdict = action.trigger({ params: area.action.params, event, logger })
      if (!verdict.triggered) return { status: 'skipped', reason: verdict.reason }
      event = verdict.event
    }

    const previous = await input.outcomes.previousOutcomes()
    const budget = input.templateBudget ? templateBudget(input.templateBudget) : undefined
    const scope: TemplateScope = { trigger: event, reactions: {}, area: { name: area.name } }
    const executed: string[] = []
    const reused: string[] = []
    for (const reaction of area.reactions) {
      const before = previous.get(reaction.id)
      if (before?.status === 'success') {
        scope.reactions[reaction.ref] = before.output
        reused.push(reaction.ref)
        continue
      }
      scope.reactions[reaction.ref] = await runReaction(reaction, scope, input, event, logger, signal, budget)
      executed.push(reaction.ref)
    }
    return { status: 'done', executed, reused }
  }

  async function runReaction(
    reaction: LoadedReaction,
    scope: TemplateScope,
    input: RunEventInput,
    event: JsonObject,
    logger: Logger,
    signal: AbortSignal,
    budget: TemplateBudget | undefined,
  ): Promise<JsonValue | undefined> {
    let request: JsonValue | undefined
    try {
      const definition = registry.reaction(reaction.service, reaction.reaction)
      if (!definition) {
        throw new PermanentError(
          `reaction ${reaction.service}.${reaction.reaction} is not available in this build`,
        )
      }
      const path = `/reactions/${reaction.ref}/params`
      const rendered = budget
        ? ((await (input.renderParams ?? renderHere)(reaction.params, scope, budget, path)) ?? {})
        : (renderTemplates(reaction.params, scope) ?? {})
      // What execution logs record: secret params (writeOnly) never in clear.
      const hide = (params: JsonValue) =>
        input.fingerprint && typeof params === 'object' && params !== null && !Array.isArray(params)
          ? redactParams(definition.params, params, input.fingerprint)
          : hideSecrets(definition.params, params)
      request = hide(rendered)
      const checked = validateParams(definition.params, rendered, path, 'run')
      if (!checked.ok) {
        throw new PermanentError(`rendered params are invalid: ${formatIssues(checked.issues)}`, {
          code: 'invalid_rendered_params',
        })
      }
      request = hide(checked.value)
      await input.outcomes.started(reaction, request)
      const auth = reaction.auth ? await reaction.auth() : undefined
      const output = await withCeiling(input.reactionTimeout, signal, (runSignal) =>
        definition.run({
          params: checked.value,
          auth,
          settings: settingsFor(reaction.service),
          logger,
          signal: runSignal,
          idempotencyKey: `${input.hookLogId}:${reaction.id}`,
          event,
        }),
      )
      await input.outcomes.succeeded(reaction, request, output)
      return output
    } catch (error) {
      const errorClass = classifyError(error)
      await input.outcomes.failed(reaction, request, errorMessage(error), errorClass)
      throw new ReactionFailedError(reaction, error)
    }
  }

  return { registry, runEvent, settingsFor }
}

/**
 * Runs `run` aborted after the ceiling: its signal fires, and a reaction that ignores the signal is
 * let go of anyway, so a slot is never held past the ceiling.
 */
async function withCeiling<T>(
  ceiling: RunEventInput['reactionTimeout'],
  signal: AbortSignal,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (!ceiling) return run(signal)
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), ceiling.ms)
  const runSignal = AbortSignal.any([signal, deadline.signal])
  const expired = new Promise<never>((_, reject) => {
    deadline.signal.addEventListener('abort', () =>
      reject(new ReactionTimeoutError(ceiling.ms, ceiling.setting)),
    )
  })
  expired.catch(() => {})
  try {
    return await Promise.race([run(runSignal), expired])
  } catch (error) {
    if (deadline.signal.aborted && !signal.aborted)
      throw new ReactionTimeoutError(ceiling.ms, ceiling.setting)
    throw error
  } finally {
    clearTimeout(timer)
  }
}
