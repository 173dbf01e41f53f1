/**
 * `area dev --watch` after a file changed: validated offline first (an invalid edit changes
 * nothing on the server: the running AREAs keep running), then planned, to show what changes,
 * then applied.
 */
import type { ApiClient } from './api-client.js'
import type { ApplyBatchAnswer } from './api-types.js'
import { planOf } from './area-diff.js'
import { applyAreas, type LoadedAreas, loadAreaDocuments } from './area-files.js'
import type { Colors } from './colors.js'
import { planLines } from './plan-output.js'

export type Reapply =
  | { ok: true; applied: ApplyBatchAnswer['results']; lines: string[] }
  | { ok: false; error: unknown }

export async function reapplyFiles(client: ApiClient, files: string[], c: Colors): Promise<Reapply> {
  let loaded: LoadedAreas
  let plan: ApplyBatchAnswer
  try {
    loaded = await loadAreaDocuments(files, false)
    plan = await applyAreas(client, loaded, { mode: 'apply', dryRun: true })
    if (plan.results.some((r) => r.outcome !== 'unchanged'))
      await applyAreas(client, loaded, { mode: 'apply' })
  } catch (error) {
    return { ok: false, error }
  }
  return { ok: true, applied: plan.results, lines: changeLines(plan, c) }
}

/** What changed, as `area apply` prints it: one line per AREA and each updated path. */
export function changeLines(plan: ApplyBatchAnswer, c: Colors): string[] {
  const lines = planLines(planOf(plan.results), c, true)
  return lines.length ? lines.map((line) => `  ${line}`) : [c.dim('  No change.')]
}
