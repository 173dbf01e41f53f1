/** Acting on one AREA: enable, disable, delete, and `area run` (fire it now with a given event). */
import { errorMessage } from '../../engine/errors.js'
import type { JsonObject, Logger } from '../../engine/types.js'
import type { AreaDetails } from '../../store/area-queries.js'
import { deleteArea, setAreaEnabled } from '../../store/areas.js'
import { findAreaTrigger, type ManualEvent, recordManualEvent } from '../../store/manual-events.js'
import type { FeatureContext } from '../context.js'
import { areaDetails } from './read.js'
import { keptRevisions } from './revisions-kept.js'

/** Turns the caller's AREA on or off; answers the AREA as it now stands. */
export async function setEnabled(
  ctx: Pick<FeatureContext, 'store' | 'registry' | 'secrets'>,
  userId: string,
  name: string,
  enabled: boolean,
  /** Enabling: fire the slots missed while it was off, as its `catch_up` says. */
  options: { catchUp?: boolean } = {},
): Promise<{ outcome: 'updated' | 'unchanged'; area: AreaDetails }> {
  const { outcome } = await setAreaEnabled(ctx.store.db, userId, name, enabled, keptRevisions(ctx), options)
  return { outcome, area: await areaDetails(ctx, userId, name) }
}

/** Deletes the caller's AREA with its trigger and history. */
export function removeArea(ctx: Pick<FeatureContext, 'store'>, userId: string, name: string): Promise<void> {
  return deleteArea(ctx.store.db, userId, name)
}

export interface RunAreaInput {
  userId: string
  name: string
  /** The event; default: the action's example event. */
  event: JsonObject | undefined
  /** Where a failed enqueue is reported (the request's logger). */
  log: Logger
}

/** Fires the caller's AREA now: the event is recorded like any other, then its execution enqueued. */
export async function runArea(
  ctx: Pick<FeatureContext, 'store' | 'registry' | 'queue'>,
  input: RunAreaInput,
): Promise<Omit<ManualEvent, 'areaActionId'>> {
  const { userId } = input
  const trigger = await findAreaTrigger(ctx.store.db, userId, input.name)
  const event = input.event ?? ctx.registry.action(trigger.service, trigger.action)?.exampleEvent ?? {}
  // Committed first (docs/architecture.md, "Postgres is the outbox"): if the enqueue fails, the
  // scheduler's sweeper enqueues it.
  const recorded = await recordManualEvent(ctx.store.db, { userId, ...trigger, event })
  try {
    await ctx.queue.jobs.enqueueExecutions([
      { hookLogId: recorded.hookLogId, areaActionId: recorded.areaActionId },
    ])
  } catch (error) {
    input.log.warn(
      { hookLogId: recorded.hookLogId, err: errorMessage(error) },
      'could not enqueue a manual run',
    )
  }
  return { hookLogId: recorded.hookLogId, deliveryId: recorded.deliveryId }
}
