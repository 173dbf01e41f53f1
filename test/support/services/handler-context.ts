/** Handler contexts for calling service handlers directly in tests. */
import type { PollContext, ReactionContext } from '../../../src/engine/define.js'
import type { JsonObject } from '../../../src/engine/types.js'
import { silentLogger } from '../../../src/engine/types.js'

export function pollContext<P>(params: P, overrides: Partial<PollContext<P>> = {}): PollContext<P> {
  return {
    params,
    auth: undefined,
    settings: {},
    logger: silentLogger,
    signal: new AbortController().signal,
    state: undefined,
    scheduledAt: new Date('2025-01-01T09:00:00.000Z'),
    hookJobId: 'hook-job-1',
    ...overrides,
  }
}

export function reactionContext<P>(
  params: P,
  overrides: Partial<ReactionContext<P>> = {},
): ReactionContext<P> {
  return {
    params,
    auth: undefined,
    settings: {},
    logger: silentLogger,
    signal: new AbortController().signal,
    idempotencyKey: 'hook-log-1:reaction-1',
    event: {} as JsonObject,
    ...overrides,
  }
}
