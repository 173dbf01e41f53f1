import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../src/engine/errors.js'
import { createRegistry } from '../../src/engine/registry.js'
import { normalizeArea } from '../../src/spec/normalize.js'
import { createRecorder, testService } from '../support/engine/test-services.js'

const registry = createRegistry([testService(createRecorder())])

function doc(overrides: { action?: object; reactions?: object[]; metadata?: object } = {}) {
  return {
    apiVersion: 'area/v1',
    kind: 'Area',
    metadata: { name: 'feed-notes', ...overrides.metadata },
    spec: {
      action: { service: 'test', action: 'feed', ...overrides.action },
      reactions: overrides.reactions ?? [
        { id: 'first', service: 'test', reaction: 'note', params: { text: '{{ trigger.value }}' } },
        {
          id: 'second',
          service: 'test',
          reaction: 'other',
          params: { text: '{{ reactions.first.echoed }}' },
        },
      ],
    },
  }
}

function issuesOf(input: unknown) {
  try {
    normalizeArea(input, registry)
  } catch (error) {
    if (error instanceof ValidationError) return error.issues
    throw error
  }
  throw new Error('expected a validation error')
}

describe('normalizeArea', () => {
  it('resolves the trigger, fills defaults and hashes the canonical form', () => {
    const area = normalizeArea(doc(), registry)
    expect(area.action.trigger).toEqual({
      type: 'polling',
      schedule: { kind: 'interval', seconds: 60 },
      catchUp: { mode: 'latest', max: 1 },
    })
    expect(area.document.spec.action.trigger).toEqual({ polling: { interval: '1m' } })
    expect(area.action.params).toEqual({ min: 0 })
    expect(area.reactions[0]?.params).toEqual({ text: '{{ trigger.value }}', level: 'info' })
    expect(area.enabled).toBe(true)
    // The canonical document normalizes to itself: export then apply is a no-op.
    expect(normalizeArea(area.document, registry).specHash).toBe(area.specHash)
    expect(
      normalizeArea(doc({ action: { trigger: { polling: { interval: '60s' } } } }), registry).specHash,
    ).toBe(area.specHash)
  })

  it('changes the hash when anything that matters changes', () => {
    const base = normalizeArea(doc(), registry).specHash
    expect(normalizeArea(doc({ action: { params: { min: 1 } } }), registry).specHash).not.toBe(base)
    expect(normalizeArea(doc({ metadata: { description: 'x' } }), registry).specHash).not.toBe(base)
  })

  it('names an unknown service, action and reaction', () => {
    expect(issuesOf(doc({ action: { service: 'nope' } }))).toEqual([
      { path: '/spec/action/service', message: 'unknown service "nope" (services: test)' },
    ])
    expect(issuesOf(doc({ action: { action: 'nope' } }))).toEqual([
      { path: '/spec/action/action', message: 'service "test" has no action "nope" (actions: feed, hook)' },
    ])
    expect(
      issuesOf(doc({ reactions: [{ id: 'x', service: 'test', reaction: 'nope', params: {} }] })),
    ).toEqual([
      {
        path: '/spec/reactions/0/reaction',
        message: 'service "test" has no reaction "nope"; did you mean "note"? (reactions: note, other)',
      },
    ])
  })

  it('names missing and mistyped params', () => {
    expect(
      issuesOf(
        doc({
          action: { params: { min: 'x' } },
          reactions: [{ id: 'a', service: 'test', reaction: 'note', params: { count: -1, level: 'loud' } }],
        }),
      ),
    ).toEqual([
      { path: '/spec/action/params/min', message: 'must be a whole number, not "x"' },
      { path: '/spec/reactions/0/params/text', message: 'is required' },
      { path: '/spec/reactions/0/params/count', message: 'must be at least 0, not -1' },
      { path: '/spec/reactions/0/params/level', message: 'must be one of: info, warn, not "loud"' },
    ])
  })

  it('refuses a template naming an unknown or later reaction, and templates in action params', () => {
    const issues = issuesOf(
      doc({
        reactions: [
          {
            id: 'first',
            service: 'test',
            reaction: 'note',
            params: { text: '{{ reactions.second.echoed }}' },
          },
          { id: 'second', service: 'test', reaction: 'note', params: { text: '{{ reactions.ghost.x }}' } },
        ],
      }),
    )
    expect(issues.map((i) => i.path)).toEqual([
      '/spec/reactions/0/params/text',
      '/spec/reactions/1/params/text',
    ])
    expect(issues[1]?.message).toContain('there is no reaction "ghost"')
  })

  it('refuses structural mistakes with the field path', () => {
    const bad = doc()
    ;(bad.spec as Record<string, unknown>).reactoins = []
    expect(issuesOf(bad)).toEqual([
      {
        path: '/spec/reactoins',
        message:
          'is not a known field; did you mean "reactions"? (known: enabled, action, concurrency, rate_limit, debounce, reactions, on_failure)',
      },
    ])
    expect(issuesOf(doc({ metadata: { name: 'Bad Name' } }))[0]?.path).toBe('/metadata/name')
    expect(issuesOf({ ...doc(), apiVersion: 'v2' })[0]?.path).toBe('/apiVersion')
  })

  it('checks the trigger against what the action supports', () => {
    expect(issuesOf(doc({ action: { trigger: 'webhook' } }))[0]).toEqual({
      path: '/spec/action/trigger',
      message: 'test.feed cannot be triggered by a webhook; use polling',
    })
    expect(issuesOf(doc({ action: { trigger: { polling: { interval: '5s' } } } }))[0]).toEqual({
      path: '/spec/action/trigger/polling/interval',
      message: 'must be at least 10s for test.feed',
    })
    const hook = normalizeArea(doc({ action: { action: 'hook' } }), registry)
    expect(hook.action.trigger).toEqual({ type: 'webhook' })
    expect(
      issuesOf(
        doc({
          reactions: [
            { id: 'a', service: 'test', reaction: 'note', params: { text: 'x' } },
            { id: 'a', service: 'test', reaction: 'note', params: { text: 'y' } },
          ],
        }),
      )[0],
    ).toEqual({
      path: '/spec/reactions/1/id',
      message: 'reaction id "a" is used twice (ids are unique across reactions and on_failure)',
    })
  })
})
