/**
 * Typed templates and expressions (issue 14): validate follows every template path and every CEL
 * member chain through the schemas of what it reads, and webhook.received takes an event shape
 * declared in the AREA file (test/fixtures/typed-templates/).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRegistry } from '../../src/engine/registry.js'
import { issuesEvent } from '../../src/services/github/events.js'
import { builtinServices } from '../../src/services/index.js'
import type { ActionSpec } from '../../src/spec/document.js'
import { declaredEventShape } from '../../src/spec/event-shape.js'
import { normalizeArea } from '../../src/spec/normalize.js'
import { validateFiles, validateSources } from '../../src/spec/validate-files.js'

const registry = createRegistry(builtinServices)

const located = (issues: { line: number | null; column: number | null; path: string; message: string }[]) =>
  issues.map((i) => `${i.line}:${i.column} ${i.path} ${i.message}`)

const open = '(it may carry fields it does not declare, so this is allowed)'

describe('typed templates and expressions', () => {
  it('reports each type mistake at its line and column: errors fail, warnings do not', async () => {
    const result = await validateFiles(['test/fixtures/typed-templates/mistakes.yaml'], registry, {})
    expect(located(result.issues)).toEqual([
      '18:35 /spec/reactions/0/when when: trigger.issue.number is an integer: .x reads nothing from it (the value would be empty)',
      '20:65 /spec/reactions/0/params/url template: trigger.issue.title is a string: .first reads nothing from it (the value would be empty)',
      '22:24 /spec/reactions/0/params/headers/X-Issue template: trigger.issue is an object, and this param takes a string: the reaction would get an object and fail; read one of its fields, or write {{ trigger.issue | json }}',
      '30:38 /spec/reactions/1/params/url template: reactions.post has no field "stauts"; did you mean "status"? (its fields: status, headers, body, truncated)',
      '33:22 /spec/reactions/1/params/body/first template: trigger.issue.labels is a list: .name reads nothing from a list; read one element (first, [0]) or loop over it with {% for %}',
      '39:38 /spec/on_failure/0/params/url template: error has no field "mesage"; did you mean "message"? (its fields: reaction, message, attempt, class)',
      '66:20 /spec/action/when when: trigger has no field "ordr"; did you mean "order"? (its fields: order)',
      '73:38 /spec/reactions/0/params/url template: item has no field "skus"; did you mean "sku"? (its fields: sku)',
    ])
    // GitHub's objects are open: a near miss is a warning; `| json` and free-form parts are fine.
    expect(located(result.warnings)).toEqual([
      `13:45 /spec/action/when when: l declares no field "nme"; did you mean "name"? ${open}`,
      `20:38 /spec/reactions/0/params/url template: trigger declares no field "isue"; did you mean "issue"? ${open}`,
      '23:26 /spec/reactions/0/params/headers/X-User template: trigger.issue.user is an object: written into text it comes out as JSON; read one of its fields, or write {{ trigger.issue.user | json }} if JSON is meant',
      `30:66 /spec/reactions/1/params/url template: item declares no field "nam"; did you mean "name"? ${open}`,
    ])
  })

  it('passes the example file and the AREA language fixture with no warning', async () => {
    const result = await validateFiles(
      ['areas.example.yaml', 'test/fixtures/area-language/every-key.yaml'],
      registry,
      {},
    )
    expect(result.issues).toEqual([])
    expect(result.warnings).toEqual([])
  })

  it('gives a warning alone no power over validity', () => {
    const { valid, areas, warnings } = validateSources(
      [{ name: 'a.yaml', text: webhookArea('') }],
      registry,
      {},
    )
    expect(warnings).toEqual([])
    expect(valid).toBe(true)
    const warned = validateSources(
      [{ name: 'a.yaml', text: githubArea('"{{ trigger.isue.title }}"') }],
      registry,
      {},
    )
    expect(warned.valid).toBe(true)
    expect(warned.areas).toHaveLength(1)
    expect(located(warned.warnings)).toEqual([
      `14:32 /spec/reactions/0/params/url template: trigger declares no field "isue"; did you mean "issue"? ${open}`,
    ])
    expect(areas).toHaveLength(1)
  })
})

describe('a {% for %} variable', () => {
  it('is the list’s element inside the loop, in any block, and free-form from a range', () => {
    const url = `"{{ trigger.issue.number }}{% if true %}{% for l in trigger.issue.labels %}{{ l.nme }}{{ l.name.x }}{% endfor %}{% endif %}{% for i in (1..2) %}{{ i.x }}{% endfor %}"`
    const result = validateSources([{ name: 'a.yaml', text: githubArea(url) }], registry, {})
    expect(located(result.issues)).toEqual([
      '14:117 /spec/reactions/0/params/url template: l.name is a string: .x reads nothing from it (the value would be empty)',
    ])
    expect(located(result.warnings)).toEqual([
      `14:106 /spec/reactions/0/params/url template: l declares no field "nme"; did you mean "name"? ${open}`,
    ])
  })
})

const githubArea = (url: string) =>
  [
    'apiVersion: area/v1',
    'kind: Area',
    'metadata: { name: gh }',
    'spec:',
    '  action:',
    '    service: github',
    '    action: issue_opened',
    '    trigger: webhook',
    '  reactions:',
    '    - id: post',
    '      service: http',
    '      reaction: request',
    '      params:',
    `        url: ${url.replace('"{{', '"https://e.com/{{')}`,
  ].join('\n')

const webhookArea = (event: string, url = 'https://e.com/{{ trigger.order.id }}') =>
  [
    'apiVersion: area/v1',
    'kind: Area',
    'metadata: { name: orders }',
    'spec:',
    '  action:',
    '    service: webhook',
    '    action: received',
    event,
    '  reactions:',
    '    - id: post',
    '      service: http',
    '      reaction: request',
    `      params: { url: "${url}" }`,
  ]
    .filter(Boolean)
    .join('\n')

const orderEvent = [
  '    event:',
  '      schema: { type: object, additionalProperties: false, required: [order], properties: { order: { type: object, additionalProperties: false, properties: { id: { type: integer } } } } }',
  '      example: { order: { id: 42 } }',
].join('\n')

describe('a declared event on webhook.received', () => {
  it('types the templates, is kept in the canonical document, and normalizes to itself', () => {
    const good = validateSources([{ name: 'a.yaml', text: webhookArea(orderEvent) }], registry, {})
    expect(good.issues).toEqual([])
    const area = good.areas[0]?.area
    expect(area?.document.spec.action.event).toEqual({
      schema: {
        type: 'object',
        additionalProperties: false,
        required: ['order'],
        properties: {
          order: { type: 'object', additionalProperties: false, properties: { id: { type: 'integer' } } },
        },
      },
      example: { order: { id: 42 } },
    })
    // What export prints applies unchanged.
    const again = normalizeArea(JSON.parse(JSON.stringify(area?.document)), registry)
    expect(again.document).toEqual(area?.document)
    expect(again.specHash).toBe(area?.specHash)

    const typo = validateSources(
      [{ name: 'a.yaml', text: webhookArea(orderEvent, 'https://e.com/{{ trigger.order.idd }}') }],
      registry,
      {},
    )
    expect(located(typo.issues)).toEqual([
      '15:40 /spec/reactions/0/params/url template: trigger.order has no field "idd"; did you mean "id"? (its fields: id)',
    ])
  })

  it('takes an example alone as a schema with exactly its fields', () => {
    const text = webhookArea(
      '    event: { example: { order: { id: 42, lines: [{ sku: a }] } } }',
      'https://e.com/{{ trigger.ordr }}',
    )
    expect(located(validateSources([{ name: 'a.yaml', text }], registry, {}).issues)).toEqual([
      '13:40 /spec/reactions/0/params/url template: trigger has no field "ordr"; did you mean "order"? (its fields: order)',
    ])
  })

  it('refuses it elsewhere, an invalid schema, and an example the schema refuses', () => {
    const elsewhere = githubArea('"{{ trigger.issue.title }}"').replace(
      '    trigger: webhook',
      '    trigger: webhook\n    event: { example: { a: 1 } }',
    )
    expect(located(validateSources([{ name: 'a.yaml', text: elsewhere }], registry, {}).issues)).toEqual([
      '9:5 /spec/action/event github.issue_opened declares its own event (`area services describe github` shows it): event: is only for webhook.received, whose event is free-form',
    ])
    const invalid = webhookArea(
      '    event: { schema: { type: object, properties: { order: { type: integr } } } }',
    )
    expect(located(validateSources([{ name: 'a.yaml', text: invalid }], registry, {}).issues)).toEqual([
      '8:67 /spec/action/event/schema/properties/order/type is not valid JSON Schema (draft-07): must be one of: array, boolean, integer, null, number, object, string, not "integr"; did you mean "integer"?',
    ])
    const mismatch = webhookArea(
      '    event: { schema: { type: object, properties: { order: { type: integer } } }, example: { order: "42" } }',
    )
    expect(located(validateSources([{ name: 'a.yaml', text: mismatch }], registry, {}).issues)).toEqual([
      '8:100 /spec/action/event/example/order the example does not match the schema: must be a whole number, not "42"',
    ])
  })

  it('refuses a schema whose $refs loop, rather than overflow the server’s stack', () => {
    const text = webhookArea("    event: { schema: { $ref: '#' }, example: { a: 1 } }")
    expect(located(validateSources([{ name: 'a.yaml', text }], registry, {}).issues)).toEqual([
      '8:14 /spec/action/event/schema is not a usable JSON Schema: its $refs refer to each other without end',
    ])
  })

  it('does not run the schema’s regular expressions on the example (they could stall the server)', () => {
    const text = webhookArea(
      `    event: { schema: { type: object, properties: { order: { type: string, pattern: '^(a+)+$' } } }, example: { order: '${'a'.repeat(40)}!' } }`,
      'https://e.com/{{ trigger.order }}',
    )
    expect(validateSources([{ name: 'a.yaml', text }], registry, {}).issues).toEqual([])
  })
})

describe('the event files', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'area-event-files-'))
    await writeFile(
      join(dir, 'order.schema.json'),
      JSON.stringify({
        type: 'object',
        properties: {
          order: { type: 'object', additionalProperties: false, properties: { id: { type: 'integer' } } },
        },
      }),
    )
    await writeFile(join(dir, 'order.yaml'), 'order: { id: 7 }\n')
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('are read relative to the AREA file, so the document holds what they hold', async () => {
    await writeFile(
      join(dir, 'area.yaml'),
      webhookArea(
        '    event: { schema: ./order.schema.json, example: order.yaml }',
        'https://e.com/{{ trigger.order.di }}',
      ),
    )
    const result = await validateFiles([join(dir, 'area.yaml')], registry, {})
    expect(located(result.issues)).toEqual([
      '13:40 /spec/reactions/0/params/url template: trigger.order has no field "di"; did you mean "id"? (its fields: id)',
    ])
    await writeFile(
      join(dir, 'area.yaml'),
      webhookArea('    event: { schema: ./order.schema.json, example: order.yaml }'),
    )
    const good = await validateFiles([join(dir, 'area.yaml')], registry, {})
    expect(good.issues).toEqual([])
    expect(good.areas[0]?.area.document.spec.action.event).toEqual({
      schema: {
        type: 'object',
        properties: {
          order: { type: 'object', additionalProperties: false, properties: { id: { type: 'integer' } } },
        },
      },
      example: { order: { id: 7 } },
    })
  })

  it('that are missing are one problem at the name, nothing more', async () => {
    await writeFile(join(dir, 'missing.yaml'), webhookArea('    event: { schema: ./nope.json }'))
    const result = await validateFiles([join(dir, 'missing.yaml')], registry, {})
    expect(located(result.issues)).toEqual([
      `8:22 /spec/action/event/schema there is no file ${join(dir, 'nope.json')} (a schema file is named relative to the AREA file)`,
    ])
  })

  it('are not read by the server: a name there is refused', () => {
    const document = {
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'x' },
      spec: {
        action: { service: 'webhook', action: 'received', event: { schema: './order.schema.json' } },
        reactions: [{ id: 'a', service: 'http', reaction: 'request', params: { url: 'https://e.com' } }],
      },
    }
    expect(() => normalizeArea(document, registry)).toThrow(
      '/spec/action/event/schema: is a file name: the area CLI reads it when it loads the AREA file; send the schema itself',
    )
  })
})

describe('declaredEventShape', () => {
  it('is the declared one for webhook.received, else the action’s own', () => {
    const webhook = { service: 'webhook', action: 'received' } as ActionSpec
    const declared = { ...webhook, event: { example: { order: 1 } } } as ActionSpec
    expect(declaredEventShape(registry, declared)).toEqual({
      schema: { type: 'object', additionalProperties: false, properties: { order: { type: 'integer' } } },
      example: { order: 1 },
    })
    expect(declaredEventShape(registry, webhook).example).toEqual({
      type: 'invoice.paid',
      data: { id: 'in_42', amount: 1200 },
    })
    const github = declaredEventShape(registry, { service: 'github', action: 'issue_opened' } as ActionSpec)
    expect(github.schema).toBe(issuesEvent)
  })
})
