/**
 * Asserts that what an action really emitted, or a reaction really returned, matches the shape
 * its definition declares (`event` / `output`), with the engine's own Ajv (src/engine/params.ts).
 */
import { expect } from 'vitest'
import { shapeIssues } from '../../../src/engine/params.js'
import { createRegistry } from '../../../src/engine/registry.js'
import { builtinServices } from '../../../src/services/index.js'

const registry = createRegistry(builtinServices)

export function expectDeclaredEvent(service: string, action: string, event: unknown): void {
  const schema = registry.action(service, action)?.event
  expect(schema, `${service}.${action} declares no event`).toBeDefined()
  if (schema) expect(shapeIssues(schema, event, `${service}.${action}`)).toEqual([])
}

export function expectDeclaredOutput(service: string, reaction: string, output: unknown): void {
  const schema = registry.reaction(service, reaction)?.output
  expect(schema, `${service}.${reaction} declares no output`).toBeDefined()
  if (schema) expect(shapeIssues(schema, output, `${service}.${reaction}`)).toEqual([])
}
