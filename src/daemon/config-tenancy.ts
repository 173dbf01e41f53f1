/**
 * Settings that keep one tenant from taking the service from the others (docs/architecture.md,
 * "One tenant against the others"): the template budget of an event, the ceiling on how long a
 * reaction may run, the render threads, each user's share of the worker slots, and how wide one
 * event's run may go (reactions at once, for_each items).
 */
import { DEFAULT_FOR_EACH_MAX_ITEMS, DEFAULT_REACTION_CONCURRENCY } from '../engine/run.js'
import { type Env, integer } from './config-values.js'

export interface TenancySettings {
  /** Render time one event may spend on templates, across all its strings and reactions. */
  templateBudgetMs: number
  /** Bytes the templates of one event may render in total. */
  templateMaxBytes: number
  /** Threads per worker process that render templates, so the event loop never waits on one. */
  templateThreads: number
  /** The longest a reaction may run; a longer `timeout` param is refused at apply. */
  reactionTimeoutSeconds: number
  /** Events of one user running at once, across every worker process. */
  userConcurrency: number
  /** Reactions of one event running at once when their `needs` allow it. */
  reactionConcurrency: number
  /** The most items a `for_each` may give; a longer list fails the run, naming both. */
  forEachMaxItems: number
}

export const TENANCY_SETTINGS = {
  templateBudgetMs: 'AREA_TEMPLATE_BUDGET_MS',
  templateMaxBytes: 'AREA_TEMPLATE_MAX_BYTES',
  templateThreads: 'AREA_TEMPLATE_THREADS',
  reactionTimeoutSeconds: 'AREA_REACTION_TIMEOUT_SECONDS',
  userConcurrency: 'AREA_USER_CONCURRENCY',
  reactionConcurrency: 'AREA_REACTION_CONCURRENCY',
  forEachMaxItems: 'AREA_FOR_EACH_MAX_ITEMS',
} as const

export function readTenancySettings(env: Env, problems: string[]): TenancySettings {
  // The default share is a quarter of one worker's slots (AREA_WORKER_CONCURRENCY is reported by
  // config.ts; a bad value here falls back quietly): four users saturating theirs still leave one
  // worker's slots to everybody else, and one user alone keeps a quarter of a process busy.
  const workerConcurrency = integer(env, 'AREA_WORKER_CONCURRENCY', 64, [], { min: 1, max: 1000 })
  return {
    templateBudgetMs: integer(env, TENANCY_SETTINGS.templateBudgetMs, 1_000, problems, {
      min: 10,
      max: 60_000,
    }),
    templateMaxBytes: integer(env, TENANCY_SETTINGS.templateMaxBytes, 2 * 1024 * 1024, problems, {
      min: 1024,
      max: 256 * 1024 * 1024,
    }),
    templateThreads: integer(env, TENANCY_SETTINGS.templateThreads, 2, problems, { min: 1, max: 64 }),
    reactionTimeoutSeconds: integer(env, TENANCY_SETTINGS.reactionTimeoutSeconds, 300, problems, {
      min: 1,
      max: 86_400,
    }),
    userConcurrency: integer(
      env,
      TENANCY_SETTINGS.userConcurrency,
      Math.max(1, Math.ceil(workerConcurrency / 4)),
      problems,
      { min: 1, max: 100_000 },
    ),
    reactionConcurrency: integer(
      env,
      TENANCY_SETTINGS.reactionConcurrency,
      DEFAULT_REACTION_CONCURRENCY,
      problems,
      {
        min: 1,
        max: 64,
      },
    ),
    forEachMaxItems: integer(env, TENANCY_SETTINGS.forEachMaxItems, DEFAULT_FOR_EACH_MAX_ITEMS, problems, {
      min: 1,
      max: 10_000,
    }),
  }
}
