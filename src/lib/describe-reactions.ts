/**
 * `area describe`'s view of an AREA's reactions (docs/architecture.md, "The AREA language"): one
 * line per reaction, then, indented, what the AREA language adds to it (when, for_each, needs,
 * continue_on_error, retry, timeout), then the on_failure list the same way. Reads the canonical
 * document, so it shows the keys as they were written.
 */
import type { Static } from '@sinclair/typebox'
import type { ServerRetrySchema } from '../contract/areas.js'
import { reactionAttempts } from '../engine/area.js'
import { formatDuration, parseDuration } from '../engine/duration.js'
import type { AreaDocument, ReactionSpec } from '../spec/document.js'

type ServerRetry = Static<typeof ServerRetrySchema>

/**
 * The lines (without colours; the caller escapes and styles them) for the document's reactions.
 * With the server's policy, a reaction's `retry` shows as it applies: its keys, the server's for
 * those it leaves out, within the server's ceilings (docs/architecture.md, "Retry policy").
 */
export function reactionLines(
  document: AreaDocument,
  server?: ServerRetry,
): { main: string[]; onFailure: string[] } {
  const lines = (reaction: ReactionSpec) => linesOf(reaction, server)
  return {
    main: document.spec.reactions.flatMap(lines),
    onFailure: (document.spec.on_failure ?? []).flatMap(lines),
  }
}

/** `8 attempts, exponential, delay 1s, max 5m`: the server's policy in one line. */
export function serverRetryText(server: ServerRetry): string {
  return `${server.attempts} attempts, ${server.backoff}, delay ${server.delay}, max ${server.maxDelay}`
}

function effective(retry: NonNullable<ReactionSpec['retry']>, server: ServerRetry) {
  const maxSeconds = Math.min(
    parseDuration(server.maxDelay),
    retry.max_delay === undefined ? Number.POSITIVE_INFINITY : parseDuration(retry.max_delay),
  )
  const delaySeconds = Math.min(maxSeconds, parseDuration(retry.delay ?? server.delay))
  return {
    attempts: reactionAttempts(retry.attempts, server),
    backoff: retry.backoff ?? server.backoff,
    delay: formatDuration(delaySeconds),
    max_delay: formatDuration(maxSeconds),
  }
}

function linesOf(reaction: ReactionSpec, server: ServerRetry | undefined): string[] {
  const details: string[] = []
  if (reaction.needs !== undefined)
    details.push(`needs: ${reaction.needs.length ? reaction.needs.join(', ') : '(none: starts at once)'}`)
  if (reaction.when !== undefined) details.push(`when: ${reaction.when}`)
  if (reaction.for_each !== undefined) details.push(`for_each: ${reaction.for_each}`)
  const policy = [
    reaction.continue_on_error ? 'continue_on_error' : undefined,
    reaction.retry
      ? `retry: ${retryText(server ? effective(reaction.retry, server) : reaction.retry)}`
      : undefined,
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
