/**
 * Template rendering off the main thread: a few worker threads (tinypool) render reactions'
 * params, so a hostile template holds a render thread, never the event loop that answers probes,
 * renews leases and runs everybody else's reactions. The threads are shared fairly between users
 * (fair-share.ts), and a thread still busy past the event's budget is terminated
 * (docs/architecture.md, "One tenant against the others").
 */
import { fileURLToPath } from 'node:url'
import { Tinypool } from 'tinypool'
import { errorMessage, PermanentError, RetryableError } from '../../engine/errors.js'
import type { RenderParams } from '../../engine/run.js'
import { isTemplate, renderTemplates, TemplateBudgetError } from '../../engine/templates.js'
import type { JsonValue } from '../../engine/types.js'
import { createFairShare } from './fair-share.js'
import type { RenderAnswer, RenderTask } from './render-thread.js'

/**
 * Past the budget, a thread gets this long to stop by itself before it is terminated. Liquid stops
 * a render at the budget on its own; this is for what it would not stop, and leaves room for a
 * thread that is still starting (a terminated one is replaced).
 */
const TERMINATE_AFTER_MS = 2_000

export interface RenderPool {
  /** Resolves once every thread has started (each loads the engine). */
  readonly ready: Promise<void>
  /** The engine's RenderParams for one user's event. */
  forUser(userId: string): RenderParams
  close(): Promise<void>
}

export function createRenderPool(threads: number, onError: (error: unknown) => void = () => {}): RenderPool {
  const pool = new Tinypool({
    filename: threadEntry(),
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
  })
  // A thread that fails outside a task (it could not start) must not take the process down; its
  // tasks fail and are retried, and the failure is logged.
  pool.on('error', onError)
  // A task each, held a moment in the thread, so that every thread starts now rather than on the
  // first events.
  const ready = Promise.all(
    Array.from({ length: threads }, () => pool.run({ warmUp: true } satisfies RenderTask)),
  ).then(
    () => undefined,
    () => undefined,
  )
  // One user never holds every thread: another's render starts as soon as a thread frees up.
  const share = createFairShare(threads, threads > 1 ? threads - 1 : 1)

  const forUser =
    (userId: string): RenderParams =>
    async (params, scope, budget, path) => {
      // Params without templates cost nothing to "render": no thread needed.
      if (!hasTemplate(params)) return renderTemplates(params, scope, budget, path)
      await ready
      const answer = await share.run(userId, async () => {
        const deadline = new AbortController()
        const leftMs = Math.max(0, budget.timeMs - budget.usedMs)
        const timer = setTimeout(() => deadline.abort(), leftMs + TERMINATE_AFTER_MS)
        try {
          const task: RenderTask = { params, scope, budget, path }
          return (await pool.run(task, { signal: deadline.signal })) as RenderAnswer
        } catch (error) {
          if (deadline.signal.aborted) {
            budget.usedMs = budget.timeMs
            throw new TemplateBudgetError('time', path, budget)
          }
          throw new RetryableError(`template rendering failed: ${errorMessage(error)}`, { cause: error })
        } finally {
          clearTimeout(timer)
        }
      })
      budget.usedMs = answer.usedMs
      budget.usedBytes = answer.usedBytes
      if (answer.ok) return answer.value
      if (answer.budget) throw new TemplateBudgetError(answer.budget.limit, answer.budget.param, budget)
      throw answer.permanent ? new PermanentError(answer.message) : new Error(answer.message)
    }

  return {
    ready,
    forUser,
    async close() {
      await pool.destroy()
    },
  }
}

/** The built thread, or from the sources a module that first registers tsx in the thread. */
function threadEntry(): string {
  const source = import.meta.url.endsWith('.ts')
  return fileURLToPath(new URL(source ? './render-thread-dev.mjs' : './render-thread.js', import.meta.url))
}

function hasTemplate(value: JsonValue | undefined): boolean {
  if (typeof value === 'string') return isTemplate(value)
  if (Array.isArray(value)) return value.some(hasTemplate)
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasTemplate)
  return false
}
