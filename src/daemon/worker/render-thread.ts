/**
 * The body of a render thread (render-pool.ts): renders one reaction's params with the engine's
 * renderer, within what is left of the event's budget, and reports what it used. Errors cross the
 * thread boundary as plain data.
 */
import { errorMessage, PermanentError } from '../../engine/errors.js'
import {
  renderTemplates,
  type TemplateBudget,
  TemplateBudgetError,
  type TemplateScope,
} from '../../engine/templates.js'
import type { JsonValue } from '../../engine/types.js'

export type RenderTask =
  | { params: JsonValue | undefined; scope: TemplateScope; budget: TemplateBudget; path: string }
  /** Starts the thread: answered after a moment, so that each warm-up task lands on its own thread. */
  | { warmUp: true }

export type RenderAnswer =
  | { ok: true; value: JsonValue | undefined; usedMs: number; usedBytes: number }
  | {
      ok: false
      usedMs: number
      usedBytes: number
      message: string
      permanent: boolean
      budget?: { limit: 'time' | 'bytes'; param: string }
    }

export default async function render(task: RenderTask): Promise<RenderAnswer | undefined> {
  if ('warmUp' in task) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    return undefined
  }
  const budget = task.budget
  try {
    const value = renderTemplates(task.params, task.scope, budget, task.path)
    return { ok: true, value, usedMs: budget.usedMs, usedBytes: budget.usedBytes }
  } catch (error) {
    return {
      ok: false,
      usedMs: budget.usedMs,
      usedBytes: budget.usedBytes,
      message: errorMessage(error),
      permanent: error instanceof PermanentError,
      ...(error instanceof TemplateBudgetError ? { budget: { limit: error.limit, param: error.param } } : {}),
    }
  }
}
