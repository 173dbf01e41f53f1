/**
 * The run of one event: the Action node decides whether it fires and shapes it, its `when` may
 * skip it, then the reactions run as a graph by their `needs` (reaction-graph-run.ts; a file
 * without `needs` runs each reaction after the one above, as before), each with its own `when`,
 * `for_each` (for-each.ts), timeout and continue_on_error. When the run fails for good, the
 * `on_failure` reactions run once. Outcomes go through a port, so a retry skips what already
 * succeeded (effectively-once). docs/architecture.md, "Running an AREA's graph".
 */
import type { LoadedArea, LoadedReaction, ReactionPolicy } from './area.js'
import { type ExpressionScope, evaluateForEach, evaluateWhen, skippedReason } from './conditions.js'
import {
  AreaError,
  classifyError,
  type ErrorClass,
  errorMessage,
  formatIssues,
  PermanentError,
  RetryableError,
} from './errors.js'
import { runForEach } from './for-each.js'
import { type ExecutionPort, idempotencyKeyOf, type PreviousOutcome } from './outcomes.js'
import { validateParams } from './params.js'
import { ancestorsOf, runGraph } from './reaction-graph-run.js'
import { type Registry, resolveSettings } from './registry.js'
import { hideSecrets, redactParams } from './secret-params.js'
import { renderTemplates, type TemplateBudget, type TemplateScope, templateBudget } from './templates.js'
import { inSpan, tracingEnabled } from './tracing.js'
import type { JsonObject, JsonValue, Logger } from './types.js'
import {
  maskingLogger,
  maskingPort,
  maskText,
  missingSecretError,
  secretMasks,
  secretNamesIn,
} from './user-secrets.js'

export type { ExecutionPort, PreviousOutcome } from './outcomes.js'
export { idempotencyKeyOf, outcomeKey } from './outcomes.js'

/** Defaults of the server settings that bound a graph (config-tenancy.ts reads them). */
export const DEFAULT_REACTION_CONCURRENCY = 4
export const DEFAULT_FOR_EACH_MAX_ITEMS = 100

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
  /** Reactions of one event running at once, and the most items a `for_each` may give. */
  graph?: { concurrency?: number; maxItems?: { count: number; setting: string } }
  /**
   * Whether a failure of the run is its last (a permanent error, or its attempts are spent): then
   * the `on_failure` reactions run, once, before the error is thrown. Without it they never run.
   */
  failsForGood?: (error: ReactionFailedError) => boolean
  /** The attempt number `{{ error.attempt }}` shows. */
  attempt?: number
  /**
   * The keyed fingerprint of a secret (the owner's): recorded params then show each secret as
   * `<secret:FINGERPRINT>`, as everywhere else; without it, as `<secret>`.
   */
  fingerprint?: (text: string) => string
  /**
   * Stands in for the reaction's service: `area test` answers each call with a mock or the
   * declared example output instead of calling out (docs/architecture.md, "Testing an AREA
   * offline"). Without it, the service's `run` is called.
   */
  callReaction?: CallReaction
  /**
   * The user's secrets the AREA's templates read (`secretsReadBy`), by name, opened by the worker
   * for this run. A reaction reading one that is not here fails for good; everything recorded of
   * the run shows each value as `<secret:FINGERPRINT>` (user-secrets.ts).
   */
  secrets?: ReadonlyMap<string, string>
}

// A loaded AREA is kept between events (the worker's AREA cache): its names are found once.
const secretNamesOfArea = new WeakMap<LoadedArea, readonly string[]>()

/** The secret names an AREA's reactions read: what the worker loads for a run. */
export function secretsReadBy(area: LoadedArea): readonly string[] {
  let names = secretNamesOfArea.get(area)
  if (!names) {
    const found = new Set<string>()
    for (const reaction of area.reactions) secretNamesIn(reaction.params, found)
    names = [...found]
    secretNamesOfArea.set(area, names)
  }
  return names
}

/** One call of a reaction (an item's, in a `for_each`), with its params rendered and checked. */
export type CallReaction = (
  reaction: LoadedReaction,
  params: JsonObject,
  index: number | undefined,
) => Promise<JsonValue | undefined>

/** Renders one reaction's params within the event's budget, charging what it used to `budget`. */
export type RenderParams = (
  params: JsonValue | undefined,
  scope: TemplateScope,
  budget: TemplateBudget,
  path: string,
) => Promise<JsonValue | undefined>

const renderHere: RenderParams = async (params, scope, budget, path) =>
  renderTemplates(params, scope, budget, path)

/** A reaction ran past its timeout or the operator's ceiling (docs/architecture.md, "One tenant against the others"). */
export class ReactionTimeoutError extends RetryableError {
  constructor(ms: number, setting: string | undefined) {
    super(
      `the reaction ran longer than ${setting === 'timeout' ? 'its timeout' : 'the ceiling'} of ${ms / 1000} s${setting && setting !== 'timeout' ? ` (${setting})` : ''} and was aborted; it is retried later`,
      { code: 'reaction_timeout' },
    )
  }
}

export type RunEventResult =
  | { status: 'skipped'; reason: string }
  | {
      status: 'done'
      /** Refs in the order they started. */
      executed: string[]
      reused: string[]
      /** Refs whose `when` was false (absent when none). */
      skipped?: string[]
    }

/** A reaction failed; `errorClass` tells the queue whether to retry, `retry` its own policy. */
export class ReactionFailedError extends AreaError {
  /** The failing reaction's ref; null when the action's `when` failed. */
  readonly reactionRef: string | null
  readonly errorClass: ErrorClass
  readonly retryAfterMs: number | undefined
  readonly retry: ReactionPolicy['retry'] | undefined
  constructor(reaction: LoadedReaction | null, cause: unknown, index?: number) {
    const where = reaction
      ? `reaction "${reaction.ref}"${index === undefined ? '' : ` (item ${index})`}`
      : 'the action'
    super('reaction_failed', `${where} failed: ${errorMessage(cause)}`, { cause })
    this.reactionRef = reaction?.ref ?? null
    this.errorClass = classifyError(cause)
    this.retryAfterMs = (cause as { retryAfterMs?: number }).retryAfterMs
    this.retry = reaction?.policy?.retry
  }
}

export interface Engine {
  readonly registry: Registry
  runEvent(input: RunEventInput): Promise<RunEventResult>
  settingsFor(serviceId: string): Readonly<Record<string, string>>
}

/** One phase's run: what it reads and what it has done so far. */
interface PhaseRun {
  input: RunEventInput
  event: JsonObject
  previous: Map<string, PreviousOutcome>
  budget: TemplateBudget | undefined
  /** Outputs by ref, of this phase and (for on_failure) of the main one. */
  outputs: Map<string, JsonValue | undefined>
  error?: JsonObject
  executed: string[]
  reused: string[]
  skipped: string[]
}

export function createEngine(
  registry: Registry,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Engine {
  const settings = new Map(registry.services.map((s) => [s.id, resolveSettings(s, env)]))
  const settingsFor = (serviceId: string) => settings.get(serviceId) ?? {}

  async function runEvent(given: RunEventInput): Promise<RunEventResult> {
    const masks = secretMasks(given.secrets?.values() ?? [], given.fingerprint)
    const input =
      masks.length > 0
        ? {
            ...given,
            outcomes: maskingPort(given.outcomes, masks),
            logger: maskingLogger(given.logger, masks),
          }
        : given
    const { area } = input
    const action = registry.action(area.action.service, area.action.action)
    if (!action) {
      throw new PermanentError(
        `action ${area.action.service}.${area.action.action} is not available in this build`,
      )
    }
    let event = input.event
    if (action.trigger) {
      const verdict = action.trigger({ params: area.action.params, event, logger: input.logger })
      if (!verdict.triggered) return { status: 'skipped', reason: verdict.reason }
      event = verdict.event
    }
    const run: PhaseRun = {
      input,
      event,
      previous: new Map(),
      budget: input.templateBudget ? templateBudget(input.templateBudget) : undefined,
      outputs: new Map(),
      executed: [],
      reused: [],
      skipped: [],
    }
    try {
      if (area.action.when) {
        let matched: boolean
        try {
          matched = evaluateWhen(
            area.action.when,
            { trigger: event, area: { name: area.name } },
            'the action',
          )
        } catch (error) {
          throw new ReactionFailedError(null, error)
        }
        if (!matched) return { status: 'skipped', reason: skippedReason(area.action.when) }
      }
      run.previous = await input.outcomes.previousOutcomes()
      await runPhase(
        run,
        area.reactions.filter((r) => r.phase === 'main'),
      )
    } catch (error) {
      if (error instanceof ReactionFailedError && input.failsForGood?.(error)) {
        await runOnFailure(run, error)
      }
      throw error
    }
    return {
      status: 'done',
      executed: run.executed,
      reused: run.reused,
      ...(run.skipped.length > 0 ? { skipped: run.skipped } : {}),
    }
  }

  /**
   * The failure path: once, with `error` in scope. Its own failure is recorded and logged, never
   * thrown (the run's error is), so it cannot start a retry, let alone a loop.
   */
  async function runOnFailure(run: PhaseRun, failure: ReactionFailedError): Promise<void> {
    const reactions = run.input.area.reactions.filter((r) => r.phase === 'on_failure')
    if (reactions.length === 0) return
    run.error = {
      reaction: failure.reactionRef,
      message: errorMessage(failure.cause ?? failure),
      attempt: run.input.attempt ?? 1,
      class: failure.errorClass,
    }
    try {
      await runPhase(run, reactions)
    } catch (error) {
      run.input.logger.warn(
        { err: errorMessage(error) },
        'an on_failure reaction failed; it is recorded and not retried',
      )
    }
  }

  async function runPhase(run: PhaseRun, reactions: LoadedReaction[]): Promise<void> {
    const byRef = new Map(reactions.map((r) => [r.ref, r]))
    const concurrency = run.input.graph?.concurrency ?? DEFAULT_REACTION_CONCURRENCY
    await runGraph(reactions, concurrency, (reaction) => runNode(run, reaction, byRef))
  }

  async function runNode(
    run: PhaseRun,
    reaction: LoadedReaction,
    byRef: ReadonlyMap<string, LoadedReaction>,
  ): Promise<void> {
    const { input } = run
    const before = run.previous.get(reaction.id)
    if (before?.status === 'success' || before?.status === 'skipped') {
      run.outputs.set(reaction.ref, before.output)
      ;(before.status === 'success' ? run.reused : run.skipped).push(reaction.ref)
      return
    }
    // What its templates and expressions read: the outputs of what it needs (all the reactions
    // above it, for a file without `needs`) and, in on_failure, the main phase's.
    const reactions: Record<string, JsonValue | undefined> = {}
    const ancestors = ancestorsOf(reaction, byRef)
    for (const [ref, output] of run.outputs) {
      if (ancestors.has(ref) || (reaction.phase === 'on_failure' && !byRef.has(ref))) reactions[ref] = output
    }
    const scope: TemplateScope = {
      trigger: run.event,
      reactions,
      area: { name: input.area.name },
      ...(run.error ? { error: run.error } : {}),
    }
    const expressionScope = scope as unknown as ExpressionScope
    const where = `reaction "${reaction.ref}"`
    try {
      const { when, forEach } = reaction.policy
      const matched =
        when === undefined ||
        (await recordFailure(run, reaction, async () => evaluateWhen(when, expressionScope, where)))
      if (!matched && when !== undefined) {
        await input.outcomes.skipped(reaction, skippedReason(when))
        run.skipped.push(reaction.ref)
        return
      }
      run.executed.push(reaction.ref)
      let output: JsonValue | undefined
      if (forEach) {
        const maxItems = input.graph?.maxItems ?? {
          count: DEFAULT_FOR_EACH_MAX_ITEMS,
          setting: 'AREA_FOR_EACH_MAX_ITEMS',
        }
        const items = await recordFailure(run, reaction, async () =>
          evaluateForEach(forEach, expressionScope, where, maxItems),
        )
        output = await runForEach(reaction, items, run.previous, input.outcomes, (item, index) =>
          runReaction(run, reaction, { ...scope, item, index }, index),
        )
      } else {
        output = await runReaction(run, reaction, scope)
      }
      run.outputs.set(reaction.ref, output)
    } catch (error) {
      if (!reaction.policy.continueOnError) throw error
      input.logger.warn(
        { reaction: reaction.ref, err: errorMessage(error) },
        'reaction failed; continue_on_error lets its dependents run without its output',
      )
    }
  }

  /** A `when` or `for_each` that cannot be evaluated fails its reaction, recorded like any failure. */
  async function recordFailure<T>(
    run: PhaseRun,
    reaction: LoadedReaction,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await work()
    } catch (error) {
      await run.input.outcomes.failed(reaction, undefined, errorMessage(error), classifyError(error))
      throw new ReactionFailedError(reaction, error)
    }
  }

  /** One span per reaction run, and per for_each item (docs/architecture.md, "Traces"); off, none. */
  function runReaction(
    run: PhaseRun,
    reaction: LoadedReaction,
    scope: TemplateScope,
    index?: number,
  ): Promise<JsonValue | undefined> {
    if (!tracingEnabled()) return runReactionCall(run, reaction, scope, index)
    const attributes = {
      'area.event_id': run.input.hookLogId,
      'area.reaction': reaction.ref,
      'area.reaction.type': `${reaction.service}.${reaction.reaction}`,
      'area.service': reaction.service,
      'area.phase': reaction.phase,
      'area.for_each.index': index,
      'area.attempt': run.input.attempt,
    }
    return inSpan(`area.reaction ${reaction.ref}`, { attributes }, async (span) => {
      try {
        const output = await runReactionCall(run, reaction, scope, index)
        span.setAttributes({ 'area.outcome': 'success' })
        return output
      } catch (error) {
        span.setAttributes({ 'area.outcome': 'failed', 'area.error_class': classifyError(error) })
        throw error
      }
    })
  }

  async function runReactionCall(
    run: PhaseRun,
    reaction: LoadedReaction,
    scope: TemplateScope,
    index?: number,
  ): Promise<JsonValue | undefined> {
    const { input, budget } = run
    let request: JsonValue | undefined
    try {
      const definition = registry.reaction(reaction.service, reaction.reaction)
      if (!definition) {
        throw new PermanentError(
          `reaction ${reaction.service}.${reaction.reaction} is not available in this build`,
        )
      }
      const path = `/reactions/${reaction.ref}/params`
      const secrets = secretsFor(reaction, input.secrets)
      const renderScope = secrets ? { ...scope, secrets } : scope
      const rendered = budget
        ? ((await (input.renderParams ?? renderHere)(reaction.params, renderScope, budget, path)) ?? {})
        : (renderTemplates(reaction.params, renderScope) ?? {})
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
      await input.outcomes.started(reaction, request, index)
      const auth = reaction.auth ? await reaction.auth() : undefined
      const output = await withCeiling(
        ceilingOf(input.reactionTimeout, reaction.policy.timeoutMs),
        input.signal,
        (runSignal) =>
          input.callReaction?.(reaction, checked.value, index) ??
          definition.run({
            params: checked.value,
            auth,
            settings: settingsFor(reaction.service),
            logger: input.logger,
            signal: runSignal,
            idempotencyKey: idempotencyKeyOf(input.hookLogId, reaction.id, index),
            event: run.event,
          }),
      )
      await input.outcomes.succeeded(reaction, request, output, index)
      return output
    } catch (error) {
      // A handler's error may quote what it was given (a URL, a header): the message is masked
      // here, so that the event's error and the logs never carry a secret either.
      if (input.secrets?.size && error instanceof Error)
        error.message = maskText(error.message, secretMasks(input.secrets.values(), input.fingerprint))
      const errorClass = classifyError(error)
      await input.outcomes.failed(reaction, request, errorMessage(error), errorClass, index)
      throw new ReactionFailedError(reaction, error, index)
    }
  }

  return { registry, runEvent, settingsFor }
}

/** The secrets a reaction's templates read, or undefined when none; fails naming a missing one. */
function secretsFor(
  reaction: LoadedReaction,
  available: ReadonlyMap<string, string> | undefined,
): Record<string, string> | undefined {
  const names = secretNamesIn(reaction.params)
  if (names.size === 0) return undefined
  const secrets: Record<string, string> = {}
  for (const name of names) {
    const value = available?.get(name)
    if (value === undefined) throw missingSecretError(name)
    secrets[name] = value
  }
  return secrets
}

/** The lower of the reaction's own timeout and the server's ceiling. */
function ceilingOf(
  server: RunEventInput['reactionTimeout'],
  ownMs: number | undefined,
): RunEventInput['reactionTimeout'] {
  if (ownMs === undefined || (server && server.ms <= ownMs)) return server
  return { ms: ownMs, setting: 'timeout' }
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
