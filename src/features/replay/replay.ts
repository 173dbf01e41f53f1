/**
 * `area replay` (docs/architecture.md, "Replay"): runs finished events of the caller again. An
 * event is re-opened in place, never copied: its reactions keep their idempotency keys
 * (`<hookLogId>:<areaReactionId>[:<index>]`) and their recorded outcomes, so the worker skips
 * what succeeded (a reaction, a for_each item) and calls the rest with the keys they had. Each
 * replay writes an audit row in the transaction that re-opens the event, and enters the queue
 * like any event's job, after the commit (Postgres is the outbox: the sweeper covers a failed
 * enqueue).
 */
import type { DaemonConfig } from '../../daemon/config.js'
import { AreaError, errorMessage, ValidationError } from '../../engine/errors.js'
import type { Logger } from '../../engine/types.js'
import { parseSince, SinceError } from '../../lib/since.js'
import { findAreaId } from '../../store/area-queries.js'
import { recordAudit } from '../../store/audit.js'
import { AreaNotFoundError } from '../../store/errors.js'
import {
  currentReactionRefs,
  findReplayEvent,
  findReplayEvents,
  type RecordedOutcome,
  type ReplayableStatus,
  type ReplayCandidate,
  recordedOutcomes,
  reopenEvents,
} from '../../store/replays.js'
import type { FeatureContext } from '../context.js'
import { loadRevisionArea, ReplayRefusedError } from './revision-area.js'

/**
 * Which document a replay runs. `current` (the default) is what a retry of the event would run
 * anyway; `original` is the revision the AREA had when the event came in.
 */
export const replayRevisions = ['current', 'original'] as const
export type ReplayRevision = (typeof replayRevisions)[number]

export interface ReplayOptions {
  revision: ReplayRevision
  dryRun: boolean
}

export interface ReplayFilterInput {
  /** Only this AREA's events (by name). */
  area?: string | undefined
  /** Default: `failed`. */
  status?: ReplayableStatus | undefined
  /** `1h`, `30m`, `7d` (that long ago), or an ISO 8601 time. */
  since?: string | undefined
  /** At most this many (default and ceiling: AREA_MAX_REPLAY_EVENTS). */
  limit?: number | undefined
}

export interface ReplayedEvent {
  id: string
  area: string
  /** The status and error the event had before this replay. */
  status: string
  error: string | null
  /** The revision it runs. */
  revision: number
  /** Reactions (`ref`) and for_each items (`ref[i]`) whose recorded outcome is reused, not run. */
  kept: string[]
  /** Reactions of the main path that run again (with their keys), in position order. */
  rerun: string[]
  /** This replay's number for the event (1 for the first); null on a dry run. */
  replay: number | null
}

export interface RefusedEvent {
  id: string
  area: string
  reason: string
}

export interface ReplayAnswer {
  dryRun: boolean
  revision: ReplayRevision
  /** Events the request selected in all (one for an event id). */
  matched: number
  /** The most one request takes. */
  limit: number
  /** Replayed (or, on a dry run, that would be), oldest first. */
  events: ReplayedEvent[]
  /** Selected but not replayed: their original revision cannot be run again. */
  refused: RefusedEvent[]
}

type ReplayContext = Pick<FeatureContext, 'store' | 'registry' | 'secrets' | 'queue'> & {
  config: { limits: Pick<DaemonConfig['limits'], 'maxReplayEvents'> }
}

/** Replays one of the caller's events; another user's id is not found, like a missing one. */
export async function replayEvent(
  ctx: ReplayContext,
  userId: string,
  id: string,
  options: ReplayOptions,
  log: Logger,
): Promise<ReplayAnswer> {
  const event = await findReplayEvent(ctx.store.db, userId, id)
  if (!event)
    throw new AreaError('not_found', `no event with id ${id}: see the ids with \`area logs --json\``)
  if (event.kind !== 'event') {
    throw new AreaError(
      'conflict',
      `${id} is a failed poll, not an event: nothing ran, so there is nothing to run again; the trigger polls again by itself`,
    )
  }
  if (!event.processed) {
    throw new AreaError(
      'conflict',
      `event ${id} is not finished (${event.status}): it is still run and retried by itself; replay it once \`area logs ${id}\` shows it done, failed or skipped`,
    )
  }
  const answer = await replay(ctx, userId, [event], 1, ctx.config.limits.maxReplayEvents, options, log, {})
  const refused = answer.refused[0]
  if (refused) throw new ReplayRefusedError(refused.reason)
  return answer
}

/** Replays the caller's finished events the filter selects, oldest first, up to the limit. */
export async function replayEvents(
  ctx: ReplayContext,
  userId: string,
  filter: ReplayFilterInput,
  options: ReplayOptions,
  log: Logger,
): Promise<ReplayAnswer> {
  const max = ctx.config.limits.maxReplayEvents
  if (filter.limit !== undefined && filter.limit > max) {
    throw new ValidationError([
      {
        path: '/body/limit',
        message: `must be at most ${max}, the most one replay takes (AREA_MAX_REPLAY_EVENTS); replay in several runs, or narrow the filter with area, status or since`,
      },
    ])
  }
  const limit = filter.limit ?? max
  let areaId: string | undefined
  if (filter.area !== undefined) {
    areaId = await findAreaId(ctx.store.db, userId, filter.area)
    if (!areaId) throw new AreaNotFoundError(filter.area)
  }
  const status = filter.status ?? 'failed'
  const since = filter.since === undefined ? undefined : sinceOf(filter.since)
  const { matched, events } = await findReplayEvents(
    ctx.store.db,
    {
      userId,
      status,
      ...(areaId === undefined ? {} : { areaId }),
      ...(since === undefined ? {} : { since }),
    },
    limit,
  )
  return replay(ctx, userId, events, matched, limit, options, log, {
    ...(filter.area === undefined ? {} : { area: filter.area }),
    status,
    ...(filter.since === undefined ? {} : { since: filter.since }),
  })
}

function sinceOf(text: string): Date {
  try {
    return parseSince(text)
  } catch (error) {
    if (!(error instanceof SinceError)) throw error
    throw new ValidationError([{ path: '/body/since', message: error.message }])
  }
}

async function replay(
  ctx: ReplayContext,
  userId: string,
  events: ReplayCandidate[],
  matched: number,
  limit: number,
  options: ReplayOptions,
  log: Logger,
  filter: Record<string, string>,
): Promise<ReplayAnswer> {
  const db = ctx.store.db
  const plans = await planReplays(ctx, userId, events, options.revision)
  const outcomes = await recordedOutcomes(
    db,
    plans.flatMap((p) => ('refused' in p ? [] : [p.event.id])),
  )
  const planned: ReplayedEvent[] = []
  const refused: RefusedEvent[] = []
  for (const plan of plans) {
    if ('refused' in plan) {
      refused.push({ id: plan.event.id, area: plan.event.areaName, reason: plan.refused })
      continue
    }
    const { event } = plan
    planned.push({
      id: event.id,
      area: event.areaName,
      status: event.status,
      error: event.error,
      revision: plan.revision ?? event.currentRevision,
      ...keptAndRerun(
        outcomes.filter((o) => o.hookLogId === event.id),
        plan.refs,
      ),
      replay: null,
    })
  }
  const answer = { dryRun: options.dryRun, revision: options.revision, matched, limit, refused }
  if (options.dryRun || planned.length === 0) return { ...answer, events: planned }

  const revisionOf = new Map(
    plans.flatMap((p) => ('refused' in p ? [] : [[p.event.id, p.revision] as const])),
  )
  const reopened = await db.transaction().execute(async (trx) => {
    const numbers = await reopenEvents(
      trx,
      userId,
      planned.map((e) => ({ id: e.id, revision: revisionOf.get(e.id) ?? null })),
    )
    for (const event of planned) {
      const number = numbers.get(event.id)
      if (number === undefined) continue
      await recordAudit(trx, {
        userId,
        action: 'event.replayed',
        target: `event/${event.id}`,
        metadata: {
          area: event.area,
          replay: number,
          revision: event.revision,
          revisionChoice: options.revision,
          previousStatus: event.status,
          previousError: event.error,
          rerun: event.rerun,
          ...(Object.keys(filter).length > 0 ? { filter } : {}),
        },
      })
    }
    return numbers
  })
  // Re-opened by a concurrent replay in between: that one runs it, this answer leaves it out.
  const done = planned.flatMap((e) => {
    const number = reopened.get(e.id)
    return number === undefined ? [] : [{ ...e, replay: number }]
  })
  const actionOf = new Map(events.map((e) => [e.id, e.areaActionId]))
  try {
    await ctx.queue.jobs.enqueueExecutions(
      done.map((e) => ({ hookLogId: e.id, areaActionId: actionOf.get(e.id) ?? '', replay: e.replay ?? 1 })),
    )
  } catch (error) {
    // Committed first: the scheduler's sweeper enqueues the re-opened events.
    log.warn({ events: done.length, err: errorMessage(error) }, 'could not enqueue replays')
  }
  return { ...answer, events: done }
}

type Plan =
  | { event: ReplayCandidate; refused: string }
  | {
      event: ReplayCandidate
      /** Stored for the worker: null runs the AREA as it stands. */
      revision: number | null
      refs: { ref: string; phase: 'main' | 'on_failure' }[]
    }

/** Which revision each event runs, and that revision's reactions; a revision that cannot run is refused. */
async function planReplays(
  ctx: ReplayContext,
  userId: string,
  events: ReplayCandidate[],
  choice: ReplayRevision,
): Promise<Plan[]> {
  const db = ctx.store.db
  // Events of one AREA share their revisions' loads.
  const loads = new Map<string, Promise<{ ref: string; phase: 'main' | 'on_failure' }[]>>()
  const refsOf = (event: ReplayCandidate, revision: number | null) => {
    const key = `${event.areaId}:${revision ?? 'current'}`
    let load = loads.get(key)
    if (!load) {
      load =
        revision === null
          ? currentReactionRefs(db, event.areaId)
          : loadRevisionArea(
              { db, registry: ctx.registry, secrets: ctx.secrets },
              { areaId: event.areaId, actionId: event.areaActionId, userId },
              revision,
            ).then((area) => area.reactions.map((r) => ({ ref: r.ref, phase: r.phase })))
      load.catch(() => {})
      loads.set(key, load)
    }
    return load
  }
  const plans: Plan[] = []
  for (const event of events) {
    let revision: number | null = null
    if (choice === 'original') {
      if (event.originalRevision === null) {
        plans.push({
          event,
          refused: `the revision AREA "${event.areaName}" had when event ${event.id} came in is no longer kept (only the last AREA_MAX_REVISIONS_PER_AREA are; \`area history ${event.areaName}\` lists them)`,
        })
        continue
      }
      // Kept even when it is the current one: the AREA may change before the worker runs it.
      revision = event.originalRevision
    }
    try {
      const differs = revision !== null && revision !== event.currentRevision
      plans.push({ event, revision, refs: await refsOf(event, differs ? revision : null) })
    } catch (error) {
      if (!(error instanceof ReplayRefusedError)) throw error
      plans.push({ event, refused: error.reason })
    }
  }
  return plans
}

/** What a replay reuses and what it runs again, from the event's recorded outcomes. */
function keptAndRerun(
  outcomes: RecordedOutcome[],
  refs: { ref: string; phase: 'main' | 'on_failure' }[],
): { kept: string[]; rerun: string[] } {
  const reused = (status: string) => status === 'success' || status === 'skipped'
  const whole = new Set(outcomes.filter((o) => o.item === -1 && reused(o.status)).map((o) => o.ref))
  const items = outcomes
    .filter((o) => o.item >= 0 && reused(o.status) && !whole.has(o.ref))
    .map((o) => `${o.ref}[${o.item}]`)
  return {
    kept: [...refs.map((r) => r.ref).filter((ref) => whole.has(ref)), ...items],
    rerun: refs.filter((r) => r.phase === 'main' && !whole.has(r.ref)).map((r) => r.ref),
  }
}
