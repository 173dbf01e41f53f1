/** How long finished jobs stay in the queue: they keep their id deduplicated, and cost memory. */
export interface KeepJobs {
  ageMs: number
  count: number
}

export interface RetentionPolicy {
  completed: KeepJobs
  failed: KeepJobs
}

export interface RetentionOptions {
  completed?: Partial<KeepJobs>
  failed?: Partial<KeepJobs>
}

// Failed jobs stay longer so an operator can still look at them the next morning.
export const DEFAULT_RETENTION: RetentionPolicy = {
  completed: { ageMs: 60 * 60_000, count: 1_000 },
  failed: { ageMs: 24 * 60 * 60_000, count: 5_000 },
}

export function resolveRetention(options: RetentionOptions = {}): RetentionPolicy {
  return { completed: keep(options.completed, 'completed'), failed: keep(options.failed, 'failed') }
}

function keep(options: Partial<KeepJobs> | undefined, state: keyof RetentionPolicy): KeepJobs {
  return {
    ageMs: options?.ageMs ?? DEFAULT_RETENTION[state].ageMs,
    count: options?.count ?? DEFAULT_RETENTION[state].count,
  }
}
