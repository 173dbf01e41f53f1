import { describe, expect, it } from 'vitest'
import { checkTemplates, renderTemplates } from '../../src/engine/templates.js'

const scope = {
  trigger: { issue: { number: 42, title: 'Broken build', labels: ['bug'] }, n: 5 },
  reactions: { notify: { status: 201, body: { id: 'm-1' } } },
  area: { name: 'issues-to-discord' },
}

describe('renderTemplates', () => {
  it('renders text from the event and earlier outputs', () => {
    expect(
      renderTemplates(
        {
          content:
            'New issue #{{ trigger.issue.number }}: {{ trigger.issue.title | upcase }} ({{ area.name }})',
        },
        scope,
      ),
    ).toEqual({ content: 'New issue #42: BROKEN BUILD (issues-to-discord)' })
    expect(renderTemplates('id={{ reactions.notify.body.id }}', scope)).toBe('id=m-1')
  })

  it('keeps the type of a value that is one whole expression', () => {
    expect(renderTemplates({ n: '{{ trigger.n }}', issue: '{{ trigger.issue }}' }, scope)).toEqual({
      n: 5,
      issue: scope.trigger.issue,
    })
  })

  it('prints objects inside text as JSON and missing values as nothing', () => {
    expect(renderTemplates('labels={{ trigger.issue.labels }} x={{ trigger.missing }}', scope)).toBe(
      'labels=["bug"] x=',
    )
    expect(renderTemplates('{{ trigger.missing }}', scope)).toBeNull()
  })

  it('renders nested objects and arrays and leaves plain values alone', () => {
    expect(renderTemplates({ a: [1, '{{ trigger.n }}'], b: { c: true, d: 'plain' } }, scope)).toEqual({
      a: [1, 5],
      b: { c: true, d: 'plain' },
    })
  })

  it('cannot read files or reach prototypes', () => {
    expect(() => renderTemplates('{% include "/etc/passwd" %}', scope)).toThrow()
    expect(renderTemplates('{{ trigger.constructor }}', scope)).toBeNull()
    expect(renderTemplates('x{{ trigger.issue.title.constructor.name }}', scope)).toBe('x')
  })
})

describe('checkTemplates', () => {
  it('accepts references to the event and to earlier reactions', () => {
    expect(
      checkTemplates({ a: '{{ trigger.x }} {{ reactions.notify.status }} {{ area.name }}' }, '/p', [
        'notify',
      ]),
    ).toEqual([])
  })

  it('names an unknown or later reaction, an unknown variable and a syntax error', () => {
    const issues = checkTemplates(
      { a: '{{ reactions.later.status }}', b: '{{ payload.x }}', c: 'oops {{ trigger.x ' },
      '/spec/reactions/1/params',
      ['first'],
    )
    expect(issues).toEqual([
      {
        path: '/spec/reactions/1/params/a',
        message:
          'template reads reactions.later, but "later" does not finish before this reaction (it can read: first); add later to needs',
      },
      {
        path: '/spec/reactions/1/params/b',
        message:
          'template names unknown variable "payload"; use trigger.…, reactions.<id>.…, area.name or secrets.NAME',
      },
      { path: '/spec/reactions/1/params/c', message: expect.stringContaining('template does not parse') },
    ])
  })

  it('reads a secret by its written-out name only', () => {
    const params = {
      ok: 'Bearer {{ secrets.API_KEY }}',
      lower: '{{ secrets.api_key }}',
      whole: '{{ secrets }}',
      dynamic: '{{ secrets[trigger.name] }}',
    }
    expect(checkTemplates(params, '/p', [])).toEqual([
      {
        path: '/p/lower',
        message:
          'template reads secrets.api_key, which is not a secret name: an upper-case letter, then up to 63 upper-case letters, digits or underscores (e.g. API_KEY), written out as {{ secrets.NAME }}',
      },
      {
        path: '/p/whole',
        message: 'template reads "secrets" as a whole; name one secret: {{ secrets.NAME }}',
      },
      { path: '/p/dynamic', message: expect.stringContaining('which is not a secret name') },
    ])
  })

  it('allows item and index only in a for_each reaction, error only in on_failure', () => {
    const params = { a: '{{ item.name }} #{{ index }}', b: '{{ error.message }}' }
    expect(checkTemplates(params, '/p', []).map((i) => i.message)).toEqual([
      'template reads "item", which exists only in a reaction with for_each',
      'template reads "index", which exists only in a reaction with for_each',
      'template reads "error", which exists only in on_failure reactions',
    ])
    expect(checkTemplates(params, '/p', [], { forEach: true, onFailure: true })).toEqual([])
  })
})
