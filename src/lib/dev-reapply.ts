/**
 * `area dev --watch` after a file changed: validated offline first (an invalid edit changes
 * nothing on the server: the running AREAs keep running), then planned, to show what changes,
 * then applied.
 */
import type { ApiClient } from './api-client.js'
import type { ApplyBatchAnswer } from './api-types.js'
import { documentDiff, resultLine } from './apply-output.js'
import { applyAreas, type LoadedAreas, loadAreaDocuments } from './area-files.js'
import type { Colors } from './colors.js'

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

/**
 * What changed, one line per AREA and the diff of each updated one. The one call to the apply
 * output helpers: where their printing of plans changes, only this function follows.
 */
export function changeLines(plan: ApplyBatchAnswer, c: Colors): string[] {
  const changed = plan.results.filter((r) => r.outcome !== 'unchanged')
  if (!changed.length) return [c.dim('  No change.')]
  return changed.flatMap((r) => {
    const diff = r.outcome === 'updated' ? documentDiff(r, c) : ''
    return [`  ${resultLine(r, c, false)}`, ...(diff ? [diff] : [])]
  })
}
