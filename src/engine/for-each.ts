/**
 * A `for_each` reaction: once per item, in list order, one at a time (so a target sees the items
 * in order, and a crash repeats at most the one item in flight). Each item is an outcome of its
 * own (`<hookLogId>:<areaReactionId>:<index>` as its idempotency key): a retry re-runs only the
 * items that did not succeed. The reaction's output is the list of the items' outputs, recorded
 * as the reaction's own outcome once every item succeeded. docs/architecture.md, "Running an
 * AREA's graph".
 */
import type { LoadedReaction } from './area.js'
import { classifyError, errorMessage } from './errors.js'
import { type ExecutionPort, outcomeKey, type PreviousOutcome } from './outcomes.js'
import type { JsonValue } from './types.js'

export async function runForEach(
  reaction: LoadedReaction,
  items: readonly JsonValue[],
  previous: ReadonlyMap<string, PreviousOutcome>,
  outcomes: ExecutionPort,
  runItem: (item: JsonValue, index: number) => Promise<JsonValue | undefined>,
): Promise<JsonValue[]> {
  const request: JsonValue = { for_each: reaction.policy.forEach ?? null, items: items.length }
  const outputs: JsonValue[] = []
  for (const [index, item] of items.entries()) {
    const before = previous.get(outcomeKey(reaction.id, index))
    if (before?.status === 'success') {
      outputs.push(before.output ?? null)
      continue
    }
    try {
      outputs.push((await runItem(item, index)) ?? null)
    } catch (error) {
      // The item's own outcome is recorded; the reaction's says which item stopped it.
      const cause = (error as { cause?: unknown }).cause ?? error
      await outcomes.failed(
        reaction,
        request,
        `item ${index} of ${items.length} failed: ${errorMessage(cause)}`,
        classifyError(cause),
      )
      throw error
    }
  }
  await outcomes.succeeded(reaction, request, outputs)
  return outputs
}
