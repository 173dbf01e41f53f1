/**
 * Plans for people, Terraform style: `~ name (update)` with each changed path and its `- old` /
 * `+ new` values, `+ name (create)`, `- name (delete)`, then one `Plan:` line. `area diff`
 * prints what would change, `area apply` what did (area-diff.ts computes both).
 */
import type { Plan, PlanAction } from './area-diff.js'
import type { Colors } from './colors.js'
import { terminalText as safe } from './terminal-text.js'

const marks: Record<PlanAction, string> = { create: '+', update: '~', delete: '-' }
const done: Record<PlanAction, string> = { create: 'created', update: 'updated', delete: 'deleted' }

/** A value on one line: JSON, so that "5" and 5, or "" and a missing value, never look alike. */
const shown = (value: unknown) => safe(JSON.stringify(value))

/** The lines of each changed AREA; `applied` says what happened rather than what would. */
export function planLines(plan: Plan, c: Colors, applied = false): string[] {
  const paint = { create: c.green, update: c.yellow, delete: c.red }
  return plan.areas.flatMap((entry) => {
    const verb = applied ? done[entry.action] : entry.action
    const head = `${paint[entry.action](marks[entry.action])} ${safe(entry.name)} ${c.dim(`(${verb})`)}`
    const paths = entry.paths.flatMap((change) => [
      `    ${safe(change.path)}`,
      ...('before' in change ? [`      ${c.red(`- ${shown(change.before)}`)}`] : []),
      ...('after' in change ? [`      ${c.green(`+ ${shown(change.after)}`)}`] : []),
    ])
    return [head, ...paths]
  })
}

/** `Plan: 1 to create, 1 to update, 0 to delete.`, or `No changes.` */
export function planSummary(plan: Plan): string {
  if (plan.areas.length === 0) return 'No changes.'
  return `Plan: ${plan.create} to create, ${plan.update} to update, ${plan.delete} to delete.`
}

/** `Applied: 1 created, 1 updated, 0 deleted, 2 unchanged.` */
export function appliedSummary(plan: Plan, unchanged: number): string {
  return `Applied: ${plan.create} created, ${plan.update} updated, ${plan.delete} deleted, ${unchanged} unchanged.`
}
