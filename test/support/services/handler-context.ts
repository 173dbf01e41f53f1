/** Handler contexts for calling service handlers directly in tests. */
import type { HandlerContext, PollContext, ReactionContext } from '../../../src/engine/define.js'
import type { JsonObject } from '../../../src/engine/types.js'
import { silentLogger } from '../../../src/engine/types.js'

/** What every handler gets: no connection, no settings, a silent logger, a live signal. */
function handlerContext<P>(params: P): HandlerContext<P> {
  return { params, auth: undefined, settings: {}, logger: silentLogger, signal: new AbortController().signal }
}

export function pollContext<P>(params: P, overrides: Partial<PollContext<P>> = {}): PollContext<P> {
  return {
    ...handlerContext(params),
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
    ...handlerContext(params),
    idempotencyKey: 'hook-log-1:reaction-1',
    event: {} as JsonObject,
    ...overrides,
  }
}
