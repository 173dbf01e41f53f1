/**
 * The event `area test --example` runs an AREA on: its action's declared example. One function,
 * so that the declared shape of src/spec/event-shape.ts (which also covers an example the AREA
 * file declares for `webhook.received`) can take its place in one line.
 */
import type { Registry } from '../engine/registry.js'
import type { JsonObject } from '../engine/types.js'

export function exampleEventOf(
  registry: Registry,
  action: { service: string; action: string },
): JsonObject | undefined {
  const example = registry.action(action.service, action.action)?.exampleEvent
  return example ? structuredClone(example) : undefined
}
