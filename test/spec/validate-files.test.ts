// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the AREA file's own syntax, written literally here
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createRegistry } from '../../src/engine/registry.js'
import { builtinServices } from '../../src/services/index.js'
import { MAX_FILE_BYTES } from '../../src/spec/limits.js'
import { validateFiles, validateSources } from '../../src/spec/validate-files.js'

const registry = createRegistry(builtinServices)

// Line numbers in the tests below refer to this document: keep its shape.
const area = (name: string, overrides: { action?: string; reaction?: string } = {}) =>
  [
    'apiVersion: area/v1', // 1
    'kind: Area', // 2
    'metadata:', // 3
    `  name: ${name}`, // 4
    'spec:', // 5
    '  action:', // 6
    overrides.action ?? '    service: timer\n    action: every\n    params: { interval: 5m }', // 7-9
    '  reactions:', // 10
    overrides.reaction ??
      '    - id: ping\n      service: http\n      reaction: request\n      params:\n        url: https://example.com/hook',
  ].join('\n')

function validate(text: string, env: Record<string, string> = {}) {
  return validateSources([{ name: 'areas.yaml', text }], registry, env)
}

const located = (result: ReturnType<typeof validate>) =>
  result.issues.map((i) => `${i.file}:${i.document}:${i.line}:${i.column} ${i.path} ${i.message}`)

describe('validateSources', () => {
  it('accepts a valid file and returns its normalized AREAs with their place', () => {
    const result = validate(`# heading\n${area('one')}\n---\n${area('two')}\n`)
    expect(result.issues).toEqual([])
    expect(result.valid).toBe(true)
    expect(result.areas.map((a) => [a.area.name, a.file, a.document, a.line, a.column])).toEqual([
      ['one', 'areas.yaml', 1, 2, 1],
      ['two', 'areas.yaml', 2, 18, 1],
    ])
    expect(result.areas[0]?.area.action.trigger).toEqual({
      type: 'polling',
      schedule: { kind: 'interval', seconds: 300 },
      catchUp: { mode: 'latest', max: 1 },
    })
  })

  it('puts an unknown service on its value', () => {
    const result = validate(area('one', { action: '    service: timr\n    action: every\n    params: {}' }))
    expect(located(result)).toEqual([
      'areas.yaml:1:7:14 /spec/action/service unknown service "timr"; did you mean "timer"? (services: timer, http, webhook, rss, github, discord, slack, email)',
    ])
    expect(result.valid).toBe(false)
    expect(result.areas).toEqual([])
  })

  it('puts a bad param type on the value', () => {
    const result = validate(
      area('one', { action: '    service: timer\n    action: every\n    params:\n      interval: 5' }),
    )
    expect(located(result)).toEqual([
      'areas.yaml:1:10:17 /spec/action/params/interval must be a duration such as 30s, 5m or 1h30m (whole numbers with units d, h, m, s, largest first), not 5',
    ])
  })

  it('puts an unknown key on the key itself', () => {
    const result = validate(
      area('one', {
        reaction:
          '    - id: ping\n      service: http\n      reaction: request\n      params:\n        url: https://example.com/\n        verb: POST',
      }),
    )
    expect(located(result)).toEqual([
      'areas.yaml:1:16:9 /spec/reactions/0/params/verb is not a known field (known: method, url, headers, body, timeout)',
    ])
    const top = validate(`${area('two')}\nstatus: {}\n`)
    expect(located(top)).toEqual([
      'areas.yaml:1:16:1 /status is not a known field (known: apiVersion, kind, metadata, spec)',
    ])
  })

  it('puts a missing field on its parent', () => {
    const result = validate(area('one', { action: '    action: every' }))
    expect(located(result)).toEqual(['areas.yaml:1:6:3 /spec/action/service is required'])
  })

  it('puts a template naming an unknown reaction on the value', () => {
    const result = validate(
      area('one', {
        reaction: [
          '    - id: ping',
          '      service: http',
          '      reaction: request',
          '      params:',
          '        url: https://example.com/',
          '        body: "{{ reactions.pong.status }}"',
        ].join('\n'),
      }),
    )
    expect(located(result)).toEqual([
      'areas.yaml:1:16:15 /spec/reactions/0/params/body template reads reactions.pong, but there is no reaction "pong"; did you mean "ping"? (it can read: none)',
    ])
  })

  it('puts an unset variable on the reference itself, and uses defaults and set values', () => {
    const reaction =
      '    - id: ping\n      service: http\n      reaction: request\n      params:\n        url: "https://${HOST}/x"'
    expect(located(validate(area('one', { reaction })))).toEqual([
      'areas.yaml:1:15:23 /spec/reactions/0/params/url environment variable HOST is not set: set it, or give a default with ${HOST:-value}',
    ])
    expect(validate(area('one', { reaction }), { HOST: 'example.com' }).valid).toBe(true)
    // The rest of the document is still checked, without echoing the incomplete value.
    const both = validate(
      area('one', { reaction, action: '    service: timr\n    action: every\n    params: {}' }),
    )
    expect(located(both).map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual([
      'areas.yaml:1:7:14 /spec/action/service',
      'areas.yaml:1:15:23 /spec/reactions/0/params/url',
    ])
    const withDefault = reaction.replace('${HOST}', '${HOST:-example.com}')
    const valid = validate(area('one', { reaction: withDefault }))
    expect(valid.areas[0]?.area.reactions[0]?.params.url).toBe('https://example.com/x')
  })

  it('refuses a name used twice across files, naming both places', () => {
    const result = validateSources(
      [
        { name: 'a.yaml', text: area('same') },
        { name: 'b.yaml', text: `${area('other')}\n---\n${area('same')}` },
      ],
      registry,
      {},
    )
    expect(located(result)).toEqual([
      'b.yaml:2:20:9 /metadata/name the name "same" is already used at a.yaml:4:9 (document 1): names are the apply key and must be unique; rename one',
    ])
    // The first one stays valid; the duplicate is not.
    expect(result.areas.map((a) => `${a.file}:${a.area.name}`)).toEqual(['a.yaml:same', 'b.yaml:other'])
  })

  it('reports a YAML syntax error with its line and column', () => {
    const result = validate(area('one', { action: '    service: timer\n    action: [every\n    params: {}' }))
    expect(result.valid).toBe(false)
    // The parser notices the missing ] where the next key starts.
    expect(located(result)).toEqual([
      'areas.yaml:1:9:5  YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ])
  })

  it('refuses an alias bomb quickly', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (const [name, previous] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
      ['f', 'e'],
    ]) {
      lines.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`)
    }
    const started = Date.now()
    const result = validate(`${lines.join('\n')}\n`)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(located(result)).toEqual([
      'areas.yaml:1:1:1  aliases (*name) expand to too many values (limit 100): write the values out instead of nesting aliases',
    ])
  })

  it('refuses a duplicate key, pointing at the second one', () => {
    const result = validate(
      area('one', { action: '    service: timer\n    action: every\n    service: http' }),
    )
    expect(located(result)).toEqual([
      'areas.yaml:1:9:5  duplicate key "service": it is already set on line 7; keep one',
    ])
  })

  it('refuses an input without any AREA', () => {
    expect(located(validate('# nothing here\n'))).toEqual([
      'areas.yaml:null:null:null  no AREA documents found: expected YAML documents with apiVersion: area/v1 and kind: Area',
    ])
  })
})

describe('validateFiles', () => {
  it('validates areas.example.yaml with no variable set', async () => {
    const example = new URL('../../areas.example.yaml', import.meta.url).pathname
    const result = await validateFiles([example], registry, {})
    expect(result.issues).toEqual([])
    const byName = Object.fromEntries(result.areas.map((a) => [a.area.name, a.area]))
    // Webhook and polling triggers, several reactions, templates: what the example is for.
    expect(Object.values(byName).map((a) => a.action.trigger.type)).toEqual(
      expect.arrayContaining(['webhook', 'polling']),
    )
    expect(Object.values(byName).some((a) => a.reactions.length > 1)).toBe(true)
    expect(Object.values(byName).map((a) => `${a.action.service}.${a.action.action}`)).toEqual(
      expect.arrayContaining(['timer.every', 'timer.cron', 'webhook.received']),
    )
  })

  it('refuses an oversized file and still validates the others', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'area-validate-'))
    try {
      const big = join(dir, 'big.yaml')
      const fine = join(dir, 'fine.yaml')
      await writeFile(big, `${area('big')}\n# ${'x'.repeat(MAX_FILE_BYTES)}\n`)
      await writeFile(fine, area('fine'))
      const result = await validateFiles([big, fine], registry, {})
      expect(result.issues).toEqual([
        {
          file: big,
          document: null,
          line: null,
          column: null,
          path: '',
          message: 'the file is 1.0 MiB; AREA files are limited to 1 MiB each: split it into several files',
        },
      ])
      expect(result.areas.map((a) => a.area.name)).toEqual(['fine'])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
