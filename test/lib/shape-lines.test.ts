import { describe, expect, it } from 'vitest'
import { serviceDetailsView } from '../../src/daemon/api/views/services.js'
import { createRegistry } from '../../src/engine/registry.js'
import { colorsFor } from '../../src/lib/colors.js'
import { shapeLines } from '../../src/lib/shape-lines.js'
import { builtinServices } from '../../src/services/index.js'

const registry = createRegistry(builtinServices)
const plain = colorsFor({ isTTY: false })
const details = (id: string) => {
  const service = registry.service(id)
  if (!service) throw new Error(`no service ${id}`)
  return serviceDetailsView(service, {})
}

describe('shapeLines (area services describe)', () => {
  it('lists an event’s fields as dotted paths with type and description, then the example', () => {
    const issueOpened = details('github').actions.find((a) => a.id === 'issue_opened')
    const lines = shapeLines(
      'event',
      issueOpened?.eventSchema,
      'example event',
      issueOpened?.exampleEvent,
      plain,
    )
    expect(lines[0]).toBe('  event (open: any other field the sender sends):')
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {4}issue\.user\.login +string +The account’s login$/),
    )
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {4}issue\.labels\[\]\.name +string, optional +Label name$/),
    )
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}issue +object, open +The issue$/))
    expect(lines).toContain('  example event:')
    expect(lines).toContain('    action: opened')
  })

  it('says nothing of openness for a closed output, and writes repeated objects out', () => {
    const create = details('github').reactions.find((r) => r.id === 'create_issue')
    const lines = shapeLines('output fields', create?.outputSchema, 'e.g.', create?.exampleOutput, plain)
    expect(lines[0]).toBe('  output fields:')
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}number +integer \| null +The issue number/))
    const push = details('github').actions.find((a) => a.id === 'push')
    const example = shapeLines('event', push?.eventSchema, 'example event', push?.exampleEvent, plain).join(
      '\n',
    )
    expect(example).not.toMatch(/[&*]a1/)
    expect(example).toMatch(/head_commit:\n {6}id: 59b20b8d/)
  })

  it('the catalog view carries each action’s event schema and each reaction’s output schema', () => {
    const timer = details('timer')
    expect(timer.actions.find((a) => a.id === 'every')?.eventSchema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['scheduled_at', 'fired_at', 'interval_seconds'],
    })
    expect(details('slack').reactions[0]?.outputSchema).toMatchObject({ properties: { ok: { const: true } } })
  })
})
