/**
 * One poll of a polling action. The engine owns dedup: the handler returns items with stable
 * keys, the port records which keys were seen (durably), and only new keys fire. The first poll
 * is a baseline that fires nothing, unless the action says its items are new by construction.
 */
import type { LoadedArea } from './area.js'
import { PermanentError } from './errors.js'
import type { Engine } from './run.js'
import type { JsonObject, Logger } from './types.js'

export interface PolledEvent {
  key: string
  event: JsonObject
}

export interface PollCommit {
  hookJobId: string
  items: PolledEvent[]
  state: JsonObject | undefined
  /** When true the keys are only remembered: nothing fires. */
  baseline: boolean
}

export interface PolledEventRef {
  key: string
  hookLogId: string
}

export interface PollCommitResult {
  /** Events recorded by this commit: their keys were new. */
  fired: PolledEventRef[]
  /**
   * Events an earlier commit recorded for keys polled again, still unfinished and held by no
   * worker: a poll that crashed between its commit and its enqueue left them, and this poll (often
   * the same slot run again) enqueues them at once instead of leaving them to the sweeper.
   */
  pending: PolledEventRef[]
}

/** Durable seen-state. `commit` must be atomic: seen keys, new events and the cursor together. */
export interface PollStatePort {
  commit(commit: PollCommit): Promise<PollCommitResult>
}

export interface HookJobState {
  id: string
  state: JsonObject | undefined
  baselineDone: boolean
}

export interface RunPollInput {
  engine: Engine
  area: LoadedArea
  hookJob: HookJobState
  scheduledAt: Date
  port: PollStatePort
  logger: Logger
  signal: AbortSignal
}

export const maxDedupKeyLength = 512

export async function runPoll(input: RunPollInput): Promise<PollCommitResult & { baseline: boolean }> {
  const { engine, area, hookJob } = input
  const action = engine.registry.action(area.action.service, area.action.action)
  if (!action?.polling) {
    throw new PermanentError(`action ${area.action.service}.${area.action.action} cannot be polled`)
  }
  const result = await action.polling.poll({
    params: area.action.params,
    auth: area.action.auth ? await area.action.auth() : undefined,
    settings: engine.settingsFor(area.action.service),
    logger: input.logger,
    signal: input.signal,
    state: hookJob.state,
    scheduledAt: input.scheduledAt,
    hookJobId: hookJob.id,
  })

  const unique = new Map<string, PolledEvent>()
  for (const item of result.items) {
    if (typeof item.key !== 'string' || item.key.length === 0 || item.key.length > maxDedupKeyLength) {
      throw new PermanentError(
        `action ${area.action.service}.${area.action.action} returned an item key that is empty or longer than ${maxDedupKeyLength} characters`,
      )
    }
    if (!unique.has(item.key)) unique.set(item.key, { key: item.key, event: item.event })
  }
  const baseline = !hookJob.baselineDone && (action.polling.firstPoll ?? 'baseline') === 'baseline'
  const { fired, pending } = await input.port.commit({
    hookJobId: hookJob.id,
    items: [...unique.values()],
    state: result.state ?? hookJob.state,
    baseline,
  })
  return { baseline, fired, pending }
}
