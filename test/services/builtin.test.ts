import { describe, expect, it } from 'vitest'
import { createRegistry } from '../../src/engine/registry.js'
import { builtinServices } from '../../src/services/index.js'

describe('builtinServices', () => {
  it('registers every built-in service without clashes', () => {
    const registry = createRegistry(builtinServices)
    expect(registry.services.map((s) => s.id)).toEqual([
      'timer',
      'http',
      'webhook',
      'rss',
      'github',
      'discord',
      'slack',
      'email',
    ])
    expect(registry.action('timer', 'every')).toBeDefined()
    expect(registry.action('timer', 'cron')).toBeDefined()
    expect(registry.action('http', 'json_changed')).toBeDefined()
    expect(registry.reaction('http', 'request')).toBeDefined()
    expect(registry.action('webhook', 'received')?.webhook).toBeDefined()
    expect(registry.action('rss', 'new_item')?.polling?.minIntervalSeconds).toBe(30)
    for (const id of ['push', 'issue_opened', 'pull_request_opened', 'release_published']) {
      expect(registry.action('github', id)?.webhook, id).toBeDefined()
      expect(registry.action('github', id)?.requiresConnection, id).toBe(false)
    }
    for (const id of ['new_star', 'new_release'])
      expect(registry.action('github', id)?.polling, id).toBeDefined()
    for (const [service, id] of [
      ['github', 'create_issue'],
      ['github', 'comment'],
      ['discord', 'send_message'],
      ['slack', 'post_message'],
      ['email', 'send'],
    ] as const) {
      expect(registry.reaction(service, id), `${service}.${id}`).toBeDefined()
    }
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
