import { Type } from '@sinclair/typebox'
import { describe, expect, it } from 'vitest'
import { defineAction, defineService } from '../../src/engine/define.js'
import { createRegistry, resolveSettings } from '../../src/engine/registry.js'
import { createRecorder, testService } from '../support/engine/test-services.js'

describe('registry', () => {
  it('finds services, actions and reactions by id', () => {
    const registry = createRegistry([testService(createRecorder())])
    expect(registry.service('test')?.name).toBe('Test')
    expect(registry.action('test', 'feed')?.polling).toBeDefined()
    expect(registry.reaction('test', 'note')?.id).toBe('note')
    expect(registry.action('test', 'missing')).toBeUndefined()
    expect(registry.service('nope')).toBeUndefined()
  })

  it('rejects a service registered twice', () => {
    const service = testService(createRecorder())
    expect(() => createRegistry([service, service])).toThrow('service "test" is registered twice')
  })

  it('rejects duplicate action and reaction ids within a service', () => {
    const service = testService(createRecorder())
    expect(() =>
      createRegistry([{ ...service, actions: [service.actions[0]!, service.actions[0]!] }]),
    ).toThrow('action "test.feed" is registered twice')
    expect(() =>
      createRegistry([{ ...service, reactions: [service.reactions[0]!, service.reactions[0]!] }]),
    ).toThrow('reaction "test.note" is registered twice')
  })

  it('rejects an action with no way to trigger it', () => {
    const broken = defineService({
      id: 'broken',
      name: 'Broken',
      description: '',
      auth: { kind: 'none' },
      actions: [defineAction({ id: 'nothing', name: 'n', description: '', params: Type.Object({}) })],
      reactions: [],
    })
    expect(() => createRegistry([broken])).toThrow('neither polling nor webhook')
  })

  it('resolves settings from the environment, else their defaults', () => {
    const service = testService(createRecorder())
    expect(resolveSettings(service, {})).toEqual({ baseUrl: 'http://default.invalid' })
    expect(resolveSettings(service, { TEST_BASE_URL: 'http://127.0.0.1:9' })).toEqual({
      baseUrl: 'http://127.0.0.1:9',
    })
  })
})
