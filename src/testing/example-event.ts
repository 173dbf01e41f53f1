/**
 * The event `area test --example` runs an AREA on: the example of its declared event shape
 * (src/spec/event-shape.ts), which is the AREA file's own `action.event.example` for a
 * `webhook.received` that declares one, else the action's `exampleEvent`.
 */
import type { Registry } from '../engine/registry.js'
import type { JsonObject } from '../engine/types.js'
import { declaredEventShape } from '../spec/event-shape.js'
import type { NormalizedArea } from '../spec/normalize.js'

export function exampleEventOf(registry: Registry, area: NormalizedArea): JsonObject | undefined {
  const example = declaredEventShape(registry, area.document.spec.action).example
  return example ? structuredClone(example) : undefined
}
