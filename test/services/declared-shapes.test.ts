import { describe, expect, it } from 'vitest'
import { shapeIssues } from '../../src/engine/params.js'
import { builtinServices } from '../../src/services/index.js'
import {
  issuesPayload,
  pullRequestPayload,
  pushPayload,
  releasePayload,
} from '../support/fakes/github-webhooks.js'
import { expectDeclaredEvent } from '../support/services/declared-shape.js'

const actions = builtinServices.flatMap((s) => s.actions.map((a) => [`${s.id}.${a.id}`, a] as const))
const reactions = builtinServices.flatMap((s) => s.reactions.map((r) => [`${s.id}.${r.id}`, r] as const))

describe('every action declares its event, every reaction its output', () => {
  it.each(actions)('%s has an event schema and an example valid against it', (name, action) => {
    expect(action.event, `${name}.event`).toBeDefined()
    expect(action.exampleEvent, `${name}.exampleEvent`).toBeDefined()
    if (action.event) expect(shapeIssues(action.event, action.exampleEvent, name)).toEqual([])
  })

  it.each(reactions)('%s has an output schema and an example valid against it', (name, reaction) => {
    expect(reaction.output, `${name}.output`).toBeDefined()
    expect(reaction.exampleOutput, `${name}.exampleOutput`).toBeDefined()
    if (reaction.output) expect(shapeIssues(reaction.output, reaction.exampleOutput, name)).toEqual([])
  })

  it('names the field and what is wrong when a value does not match', () => {
    const timer = builtinServices.find((s) => s.id === 'timer')?.actions.find((a) => a.id === 'every')
    expect(timer?.event).toBeDefined()
    if (!timer?.event) return
    const issues = shapeIssues(
      timer.event,
      { scheduled_at: 'x', fired_at: 'y', interval_seconds: 'z', extra: 1 },
      'e',
    )
    expect(issues.map((i) => i.path).sort()).toEqual(['e/extra', 'e/interval_seconds'])
  })
})

describe('the github events match GitHub’s recorded payloads', () => {
  it('push, issues, pull_request and release deliveries as GitHub sends them', () => {
    expectDeclaredEvent('github', 'push', pushPayload('refs/heads/main'))
    expectDeclaredEvent('github', 'issue_opened', issuesPayload('opened'))
    expectDeclaredEvent('github', 'pull_request_opened', pullRequestPayload('opened'))
    expectDeclaredEvent('github', 'release_published', releasePayload('published'))
  })

  it('refuses a payload missing what the schema says GitHub always sends', () => {
    const { issue: _issue, ...noIssue } = issuesPayload('opened')
    const schema = builtinServices
      .find((s) => s.id === 'github')
      ?.actions.find((a) => a.id === 'issue_opened')
    expect(schema?.event && shapeIssues(schema.event, noIssue, '')).toEqual([
      { path: '/issue', message: 'is required' },
    ])
  })
})
