/**
 * Small services defined for engine tests: they exercise the contract without any network.
 */
import { Type } from '@sinclair/typebox'
import { defineAction, defineReaction, defineService } from '../../../src/engine/define.js'
import { PermanentError, RetryableError } from '../../../src/engine/errors.js'
import type { JsonObject } from '../../../src/engine/types.js'

export interface Recorder {
  calls: { reaction: string; params: unknown; idempotencyKey: string; auth: unknown }[]
  /** Failures to throw, by reaction id (or 'feed' for the feed's polls), consumed in order. */
  failures: Map<string, Error[]>
  feed: { key: string; event: JsonObject }[]
  /** Awaited by each reaction before it records (to hold reactions in flight); by text. */
  before?: (text: string, signal: AbortSignal) => Promise<void>
}

export function createRecorder(): Recorder {
  return { calls: [], failures: new Map(), feed: [] }
}

export function testService(recorder: Recorder) {
  const record = (reaction: string) =>
    defineReaction({
      id: reaction,
      name: reaction,
      description: `records its params (${reaction})`,
      params: Type.Object(
        {
          text: Type.String({ description: 'any text' }),
          count: Type.Optional(Type.Integer({ minimum: 0 })),
          level: Type.Optional(Type.Union([Type.Literal('info'), Type.Literal('warn')], { default: 'info' })),
        },
        { additionalProperties: false },
      ),
      async run(ctx) {
        await recorder.before?.(ctx.params.text, ctx.signal)
        const failure = recorder.failures.get(reaction)?.shift()
        if (failure) throw failure
        recorder.calls.push({
          reaction,
          params: ctx.params,
          idempotencyKey: ctx.idempotencyKey,
          auth: ctx.auth,
        })
        ctx.logger.info({ reaction }, 'recorded')
        return { echoed: ctx.params.text, count: ctx.params.count ?? 0 }
      },
    })

  return defineService({
    id: 'test',
    name: 'Test',
    description: 'engine test double',
    auth: { kind: 'none' },
    settings: { baseUrl: { env: 'TEST_BASE_URL', default: 'http://default.invalid', description: 'base' } },
    actions: [
      defineAction({
        id: 'feed',
        name: 'Feed',
        description: 'polls the recorder feed',
        params: Type.Object(
          { min: Type.Optional(Type.Integer({ default: 0 })) },
          { additionalProperties: false },
        ),
        polling: {
          defaultIntervalSeconds: 60,
          minIntervalSeconds: 10,
          async poll(ctx) {
            // Failures queued under 'feed' are thrown by the next polls, in order.
            const failure = recorder.failures.get('feed')?.shift()
            if (failure) throw failure
            return { items: recorder.feed, state: { polled: ((ctx.state?.polled as number) ?? 0) + 1 } }
          },
        },
        trigger(ctx) {
          const value = (ctx.event.value as number | undefined) ?? 0
          if (value < (ctx.params.min ?? 0))
            return { triggered: false, reason: `value ${value} is below ${ctx.params.min}` }
          return { triggered: true, event: { ...ctx.event, shaped: true } }
        },
      }),
      defineAction({
        id: 'hook',
        name: 'Hook',
        description: 'webhook only',
        params: Type.Object({}, { additionalProperties: false }),
        webhook: {
          verify: () => ({ ok: true }),
          receive: (ctx) => ({ events: [ctx.request.body as JsonObject] }),
        },
      }),
    ],
    reactions: [record('note'), record('other')],
  })
}

export const transientFailure = () => new RetryableError('sink answered 503')
export const permanentFailure = () => new PermanentError('sink answered 400: bad request')
