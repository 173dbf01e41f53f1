/**
 * The reactions of one phase as a graph (docs/architecture.md, "Running an AREA's graph"): a
 * reaction starts once every reaction it `needs` is done, at most `concurrency` at once, in
 * position order among those ready. `runNode` resolves when its reaction is done for its
 * dependents (succeeded, skipped, or failed with continue_on_error) and rejects when its failure
 * stops the run: then nothing new starts, those in flight are waited for (their outcomes are
 * recorded), and the first failure is thrown.
 */
import type { LoadedReaction } from './area.js'
import { PermanentError } from './errors.js'

export async function runGraph(
  reactions: readonly LoadedReaction[],
  concurrency: number,
  runNode: (reaction: LoadedReaction) => Promise<void>,
): Promise<void> {
  const waiting = [...reactions].sort((a, b) => a.position - b.position)
  const done = new Set<string>()
  const running = new Map<string, Promise<void>>()
  let failure: { error: unknown } | undefined
  const limit = Math.max(1, concurrency)
  for (;;) {
    if (!failure) {
      for (const reaction of [...waiting]) {
        if (running.size >= limit) break
        if (!reaction.policy.needs.every((need) => done.has(need))) continue
        waiting.splice(waiting.indexOf(reaction), 1)
        const ref = reaction.ref
        running.set(
          ref,
          runNode(reaction)
            .then(
              () => {
                done.add(ref)
              },
              (error: unknown) => {
                failure ??= { error }
              },
            )
            .finally(() => running.delete(ref)),
        )
      }
    }
    if (running.size === 0) break
    await Promise.race(running.values())
  }
  if (failure) throw failure.error
  if (waiting.length > 0) {
    // Validation refuses cycles and unknown ids; a stored AREA that has one fails clearly.
    const stuck = waiting.map((r) => `"${r.ref}" (needs ${r.policy.needs.join(', ')})`).join('; ')
    throw new PermanentError(
      `these reactions can never start, their needs are never met: ${stuck}; fix needs in the AREA file and apply it again`,
      { code: 'needs_unmet' },
    )
  }
}

/** The refs a reaction needs, directly or through its needs: what its templates may read. */
export function ancestorsOf(
  reaction: LoadedReaction,
  byRef: ReadonlyMap<string, LoadedReaction>,
): Set<string> {
  const seen = new Set<string>()
  const stack = [...reaction.policy.needs]
  while (stack.length > 0) {
    const ref = stack.pop() as string
    if (seen.has(ref)) continue
    seen.add(ref)
    stack.push(...(byRef.get(ref)?.policy.needs ?? []))
  }
  return seen
}
