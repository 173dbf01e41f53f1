// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the AREA file's own syntax, written literally here
import { readFileSync } from 'node:fs'
import { Type } from '@sinclair/typebox'
import { Ajv } from 'ajv'
import ajvFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { tokenCredentials } from '../../src/engine/credentials.js'
import { defineAction, defineService } from '../../src/engine/define.js'
import { createRegistry } from '../../src/engine/registry.js'
import { builtinServices } from '../../src/services/index.js'
import { areaJsonSchema } from '../../src/spec/json-schema.js'
import { validateSources } from '../../src/spec/validate-files.js'
import { createRecorder, testService } from '../support/engine/test-services.js'

const registry = createRegistry(builtinServices)
const schema = areaJsonSchema(registry)

// Strict mode as Ajv ships it, plus strict types: the schema should work in any validator.
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: true, strictRequired: true })
ajvFormats.default(ajv)
const validate = ajv.compile(schema)

function errorsOf(document: unknown) {
  const ok = validate(document)
  return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)
}

const heartbeat = () => ({
  apiVersion: 'area/v1',
  kind: 'Area',
  metadata: { name: 'heartbeat' },
  spec: {
    action: { service: 'timer', action: 'every', params: { interval: '5m' } },
    reactions: [
      {
        id: 'ping',
        service: 'http',
        reaction: 'request',
        params: { url: 'https://example.com/hook', method: 'POST', body: { text: '{{ trigger.fired_at }}' } },
      },
    ],
  },
})

describe('areaJsonSchema', () => {
  it('is draft-07 and names every service of the registry', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#')
    const text = JSON.stringify(schema)
    for (const service of builtinServices) expect(text).toContain(`"${service.id}"`)
    expect(text).toContain('Fires on a fixed interval or on a cron schedule')
  })

  it('accepts the <secret:…> placeholder of an exported file where a secret goes, and only there', () => {
    const exported = heartbeat()
    exported.spec.reactions.push({
      id: 'notify',
      service: 'discord',
      reaction: 'send_message',
      params: { webhook_url: '<secret:0123456789ab>', content: 'hi' } as never,
    })
    expect(errorsOf(exported)).toEqual([])
    const misplaced = heartbeat()
    misplaced.spec.reactions[0]!.params.url = '<secret:0123456789ab>'
    expect(errorsOf(misplaced)).not.toEqual([])
  })

  it('accepts every document of areas.example.yaml as written, ${VAR} and templates included', () => {
    const source = readFileSync(new URL('../../areas.example.yaml', import.meta.url), 'utf8')
    const documents = parseAllDocuments(source).map((d) => d.toJS())
    expect(documents.length).toBeGreaterThanOrEqual(4)
    for (const document of documents) expect(errorsOf(document)).toEqual([])
  })

  it('accepts the canonical documents the CLI produces', () => {
    const source = readFileSync(new URL('../../areas.example.yaml', import.meta.url), 'utf8')
    const { areas, issues } = validateSources([{ name: 'x', text: source }], registry, {})
    expect(issues).toEqual([])
    expect(areas.length).toBeGreaterThan(0)
    for (const { area } of areas) expect(errorsOf(area.document)).toEqual([])
  })

  it('includes the AREA language keys, described, on the action, reactions and on_failure', () => {
    const fixture = readFileSync(new URL('../fixtures/area-language/every-key.yaml', import.meta.url), 'utf8')
    const document = parseAllDocuments(fixture)[0]?.toJS()
    expect(errorsOf(document)).toEqual([])
    const { areas } = validateSources([{ name: 'x', text: fixture }], registry, {})
    expect(errorsOf(areas[0]?.area.document)).toEqual([])
    const reaction = (schema.definitions as Record<string, { properties: Record<string, unknown> }>).reaction
    for (const key of ['when', 'needs', 'for_each', 'continue_on_error', 'retry', 'timeout']) {
      expect(JSON.stringify(reaction?.properties[key])).toMatch(/"description":"[^"]{20,}/)
    }
    // Flow control: described, with examples, for editors' hovers and completion.
    const spec = (schema.properties as Record<string, { properties: Record<string, unknown> }>).spec
    for (const key of ['concurrency', 'rate_limit', 'debounce']) {
      const text = JSON.stringify(spec?.properties[key])
      expect(text).toMatch(/"description":"[^"]{20,}/)
      expect(text).toContain('"examples":')
    }
    const text = JSON.stringify(schema)
    expect(text).toContain('a CEL condition on the event'.replace('a CEL', 'A CEL'))
    const withFailure = (items: unknown[]) => {
      const doc = heartbeat()
      Object.assign(doc.spec, { on_failure: items })
      return doc
    }
    const reactionOf = (extra: object) => ({ ...heartbeat().spec.reactions[0], ...extra })
    const tooMany = withFailure(Array.from({ length: 11 }, (_, i) => reactionOf({ id: `f${i}` })))
    expect(errorsOf(tooMany)).toContain('/spec/on_failure must NOT have more than 10 items')
    const badRetry = heartbeat()
    Object.assign(badRetry.spec.reactions[0] ?? {}, { retry: { attempts: 0, backof: 'fixed' } })
    expect(errorsOf(badRetry)).toEqual(
      expect.arrayContaining([
        '/spec/reactions/0/retry must NOT have additional properties',
        '/spec/reactions/0/retry/attempts must be >= 1',
      ]),
    )
    const badFailure = withFailure([reactionOf({ params: { url: 'x', verb: 'POST' } })])
    expect(errorsOf(badFailure)).toContain('/spec/on_failure/0/params must NOT have additional properties')
  })

  it('rejects unknown keys at every level', () => {
    const top = { ...heartbeat(), extra: 1 }
    expect(errorsOf(top)).toContain(' must NOT have additional properties')
    const inAction = heartbeat()
    Object.assign(inAction.spec.action, { colour: 'blue' })
    expect(errorsOf(inAction)).toContain('/spec/action must NOT have additional properties')
    const inParams = heartbeat()
    Object.assign(inParams.spec.action.params, { intervall: '5m' })
    expect(errorsOf(inParams)).toContain('/spec/action/params must NOT have additional properties')
    const inReaction = heartbeat()
    Object.assign(inReaction.spec.reactions[0]?.params ?? {}, { verb: 'POST' })
    expect(errorsOf(inReaction)).toContain('/spec/reactions/0/params must NOT have additional properties')
  })

  it('rejects unknown services, actions that are not the service’s, and bad params', () => {
    const service = heartbeat()
    service.spec.action.service = 'gitlab'
    expect(errorsOf(service).join('\n')).toContain(
      '/spec/action/service must be equal to one of the allowed values',
    )
    const action = heartbeat()
    action.spec.action.action = 'request'
    expect(errorsOf(action).join('\n')).toContain(
      '/spec/action/action must be equal to one of the allowed values',
    )
    const param = heartbeat()
    Object.assign(param.spec.action.params, { interval: 5 })
    expect(errorsOf(param).join('\n')).toContain('/spec/action/params/interval must be string')
    const method = heartbeat()
    Object.assign(method.spec.reactions[0]?.params ?? {}, { method: 'FETCH' })
    expect(errorsOf(method).join('\n')).toContain(
      '/spec/reactions/0/params/method must be equal to one of the allowed values',
    )
  })

  it('requires the params an action needs, and only the triggers it supports', () => {
    const cron = heartbeat()
    cron.spec.action = { service: 'timer', action: 'cron' } as never
    expect(errorsOf(cron)).toContain("/spec/action must have required property 'params'")
    const polledWebhook = heartbeat()
    polledWebhook.spec.action = { service: 'webhook', action: 'received', trigger: 'polling' } as never
    expect(errorsOf(polledWebhook).join('\n')).toContain('/spec/action/trigger must be equal to constant')
    const webhookTimer = heartbeat()
    Object.assign(webhookTimer.spec.action, { trigger: 'webhook' })
    expect(errorsOf(webhookTimer).length).toBeGreaterThan(0)
  })

  it('accepts ${VAR} for constrained values and templates in reaction params only', () => {
    const env = heartbeat()
    Object.assign(env.spec.action.params, { interval: '${EVERY:-5m}' })
    Object.assign(env.spec, { enabled: '${ENABLED:-true}' })
    Object.assign(env.spec.reactions[0]?.params ?? {}, { url: '${SINK_URL}', method: '${METHOD:-POST}' })
    expect(errorsOf(env)).toEqual([])
    const templated = heartbeat()
    Object.assign(templated.spec.reactions[0]?.params ?? {}, { url: 'https://x.test/{{ trigger.id }}' })
    expect(errorsOf(templated)).toEqual([])
    const inAction = heartbeat()
    Object.assign(inAction.spec.action.params, { interval: '{{ trigger.every }}' })
    expect(errorsOf(inAction).join('\n')).toContain('/spec/action/params/interval')
  })

  it('requires a trigger when the action supports both kinds, and a connection when it needs one', () => {
    const both = defineService({
      id: 'forge',
      name: 'Forge',
      description: 'a service with an action that can be polled or called',
      auth: tokenCredentials(),
      actions: [
        defineAction({
          id: 'pushed',
          name: 'Pushed',
          description: 'a push',
          params: Type.Object(
            { repo: Type.String({ examples: ['acme/api'] }) },
            { additionalProperties: false },
          ),
          polling: { defaultIntervalSeconds: 60, poll: async () => ({ items: [] }) },
          webhook: { verify: () => ({ ok: true }), receive: () => ({ events: [] }) },
        }),
      ],
      reactions: [],
    })
    const custom = areaJsonSchema(createRegistry([both, testService(createRecorder())]))
    const check = new Ajv({ allErrors: true, strict: true, strictRequired: true }).compile(custom)
    const document = {
      apiVersion: 'area/v1',
      kind: 'Area',
      metadata: { name: 'x' },
      spec: {
        action: { service: 'forge', action: 'pushed', params: { repo: 'acme/api' } } as Record<
          string,
          unknown
        >,
        reactions: [
          { id: 'a', service: 'test', reaction: 'note', params: { text: 'hi', count: '{{ trigger.n }}' } },
        ],
      },
    }
    check(document)
    expect((check.errors ?? []).map((e) => e.message)).toEqual([
      "must have required property 'connection'",
      "must have required property 'trigger'",
      'must match "then" schema',
    ])
    Object.assign(document.spec.action, { connection: 'work', trigger: { polling: { interval: '5m' } } })
    expect(check(document)).toBe(true)
    // A template stands for a number in reaction params; other text does not.
    document.spec.reactions[0]!.params.count = 'many'
    expect(check(document)).toBe(false)
    // Hovers show an example of the params.
    expect(JSON.stringify(custom)).toContain('"examples":[{"repo":"acme/api"}]')
  })
})
