import { describe, expect, it } from 'vitest'
import { createRegistry } from '../../src/engine/registry.js'
import { builtinServices } from '../../src/services/index.js'

describe('builtinServices', () => {
  it('registers timer and http without clashes', () => {
    const registry = createRegistry(builtinServices)
    expect(registry.services.map((s) => s.id)).toEqual(['timer', 'http'])
    expect(registry.action('timer', 'every')).toBeDefined()
    expect(registry.action('timer', 'cron')).toBeDefined()
    expect(registry.action('http', 'json_changed')).toBeDefined()
    expect(registry.reaction('http', 'request')).toBeDefined()
  })

  it('describes every param and refuses unknown ones, for the JSON Schema and `services describe`', () => {
    const definitions = builtinServices.flatMap((s) => [...s.actions, ...s.reactions])
    for (const definition of definitions) {
      expect(definition.params.additionalProperties, definition.id).toBe(false)
      for (const [name, schema] of Object.entries(definition.params.properties)) {
        expect((schema as { description?: unknown }).description, `${definition.id}.${name}`).toEqual(
          expect.any(String),
        )
        expect((schema as { examples?: unknown }).examples, `${definition.id}.${name}`).toEqual(
          expect.any(Array),
        )
      }
    }
  })
})
