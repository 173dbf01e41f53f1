/**
 * The operator's ceiling on how long a reaction may run (AREA_REACTION_TIMEOUT_SECONDS): a
 * reaction whose params ask for longer (http.request's `timeout`) is refused at apply, naming the
 * field and the ceiling. A templated timeout is only known at run time, where the worker aborts
 * the reaction at the ceiling anyway (docs/architecture.md, "One tenant against the others").
 */
import { formatDuration, parseDuration } from '../../engine/duration.js'
import { type Issue, ValidationError } from '../../engine/errors.js'
import type { Registry } from '../../engine/registry.js'
import { isTemplate } from '../../engine/templates.js'
import type { NormalizedArea } from '../../spec/normalize.js'

export const REACTION_TIMEOUT_SETTING = 'AREA_REACTION_TIMEOUT_SECONDS'

/** Issues for each reaction timeout above `ceilingSeconds`, under `basePath` (a batch's document). */
export function reactionCeilingIssues(
  area: NormalizedArea,
  registry: Registry,
  ceilingSeconds: number | undefined,
  basePath = '',
): Issue[] {
  if (ceilingSeconds === undefined) return []
  const issues: Issue[] = []
  area.reactions.forEach((reaction) => {
    const definition = registry.reaction(reaction.service, reaction.reaction)
    const param = definition?.timeoutParam
    const value = param === undefined ? undefined : reaction.params[param]
    if (typeof value !== 'string' || isTemplate(value)) return
    // The reaction's own default is not the user's choice: above a low ceiling, the worker's abort
    // applies to it, and nobody is told to change what they did not write.
    const declared = (definition?.params.properties[param as string] as { default?: unknown } | undefined)
      ?.default
    if (value === declared) return
    let seconds: number
    try {
      seconds = parseDuration(value)
    } catch {
      return // the params check already reported it
    }
    if (seconds > ceilingSeconds) {
      issues.push({
        path: `${basePath}${reaction.path}/params/${param}`,
        message: `${value} is above this server's ceiling of ${formatDuration(ceilingSeconds)} for a reaction (${REACTION_TIMEOUT_SETTING}=${ceilingSeconds}); use at most ${formatDuration(ceilingSeconds)}`,
      })
    }
  })
  return issues
}

export function checkReactionCeiling(
  area: NormalizedArea,
  registry: Registry,
  ceilingSeconds: number | undefined,
): void {
  const issues = reactionCeilingIssues(area, registry, ceilingSeconds)
  if (issues.length) throw new ValidationError(issues)
}
