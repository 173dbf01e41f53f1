/**
 * `area describe`'s view of an AREA's reactions (docs/architecture.md, "The AREA language"): one
 * line per reaction, then, indented, what the AREA language adds to it (when, for_each, needs,
 * continue_on_error, retry, timeout), then the on_failure list the same way. Reads the canonical
 * document, so it shows the keys as they were written.
 */
import type { AreaDocument, ReactionSpec } from '../spec/document.js'

/** The lines (without colours; the caller escapes and styles them) for the document's reactions. */
export function reactionLines(document: AreaDocument): { main: string[]; onFailure: string[] } {
  return {
    main: document.spec.reactions.flatMap(linesOf),
    onFailure: (document.spec.on_failure ?? []).flatMap(linesOf),
  }
}

function linesOf(reaction: ReactionSpec): string[] {
  const details: string[] = []
  if (reaction.needs !== undefined)
    details.push(`needs: ${reaction.needs.length ? reaction.needs.join(', ') : '(none: starts at once)'}`)
  if (reaction.when !== undefined) details.push(`when: ${reaction.when}`)
  if (reaction.for_each !== undefined) details.push(`for_each: ${reaction.for_each}`)
  const policy = [
    reaction.continue_on_error ? 'continue_on_error' : undefined,
    reaction.retry ? `retry: ${retryText(reaction.retry)}` : undefined,
    reaction.timeout ? `timeout: ${reaction.timeout}` : undefined,
  ].filter((part): part is string => part !== undefined)
  if (policy.length) details.push(policy.join(' · '))
  return [`${reaction.id}: ${reaction.service}.${reaction.reaction}`, ...details.map((d) => `    ${d}`)]
}

function retryText(retry: NonNullable<ReactionSpec['retry']>): string {
  const parts = [
    retry.attempts === undefined ? undefined : `${retry.attempts} attempts`,
    retry.backoff,
    retry.delay === undefined ? undefined : `delay ${retry.delay}`,
    retry.max_delay === undefined ? undefined : `max ${retry.max_delay}`,
  ].filter((part): part is string => part !== undefined)
  return parts.join(', ') || 'server defaults'
}
