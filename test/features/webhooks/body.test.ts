import { describe, expect, it } from 'vitest'
import { parseWebhookBody } from '../../../src/features/webhooks/body.js'

const parse = (contentType: string | undefined, body: string) =>
  parseWebhookBody(contentType, Buffer.from(body))

describe('webhook body', () => {
  it('parses JSON, +json types, and a body sent without a content type', () => {
    expect(parse('application/json; charset=utf-8', '{"a":[1,{"b":null}]}')).toEqual({
      ok: true,
      value: { a: [1, { b: null }] },
    })
    expect(parse('application/cloudevents+json', '{"id":"1"}')).toEqual({ ok: true, value: { id: '1' } })
    expect(parse(undefined, '[1]')).toEqual({ ok: true, value: [1] })
    expect(parse('application/json', '')).toEqual({ ok: true, value: {} })
  })

  it('turns form fields into an object, repeated fields into arrays', () => {
    expect(
      parse('application/x-www-form-urlencoded', 'a=1&b=x%20y&a=2&a=3&constructor=c&payload=%7B%7D'),
    ).toEqual({
      ok: true,
      value: { a: ['1', '2', '3'], b: 'x y', constructor: 'c', payload: '{}' },
    })
  })

  it('reports malformed JSON and unsupported types', () => {
    expect(parse('application/json', '{"a":')).toMatchObject({ ok: false, code: 'malformed_json' })
    expect(parse('text/plain', 'hello')).toMatchObject({
      ok: false,
      code: 'unsupported_media_type',
      detail: expect.stringContaining('text/plain'),
    })
  })

  it('drops __proto__ keys, even escaped', () => {
    for (const body of ['{"__proto__":{"polluted":1},"a":1}', '{"\\u005f_proto__":{"polluted":1},"a":1}']) {
      const parsed = parse('application/json', body)
      expect(parsed).toEqual({ ok: true, value: { a: 1 } })
      const value = (parsed as { value: object }).value
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
      expect(Object.keys(value)).toEqual(['a'])
    }
    expect(parse('application/x-www-form-urlencoded', '__proto__=x&a=1')).toEqual({
      ok: true,
      value: { a: '1' },
    })
  })

  it('refuses JSON nested deeper than 400 levels before parsing it, counting no bracket in strings', () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`
    expect(parse('application/json', nested(400))).toMatchObject({ ok: true })
    expect(parse('application/json', nested(401))).toMatchObject({
      ok: false,
      code: 'json_too_deep',
      detail: expect.stringContaining('400 levels'),
    })
    expect(parse('application/json', nested(20_000))).toMatchObject({ ok: false, code: 'json_too_deep' })
    const brackets = JSON.stringify({ text: '['.repeat(1000), quoted: '\\"[[[' })
    expect(parse('application/json', brackets)).toMatchObject({ ok: true })
  })
})
