import { Type } from '@sinclair/typebox'
import { describe, expect, it } from 'vitest'
import { validateParams } from '../../src/engine/params.js'

const schema = Type.Object(
  {
    url: Type.String({ format: 'uri' }),
    timeout: Type.Integer({ minimum: 1, default: 10 }),
    method: Type.Union([Type.Literal('GET'), Type.Literal('POST')], { default: 'POST' }),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
)

describe('validateParams', () => {
  it('fills defaults and leaves the input untouched', () => {
    const input = { url: 'https://example.test/x' }
    const result = validateParams(schema, input, '/p', 'run')
    expect(result).toEqual({
      ok: true,
      value: { url: 'https://example.test/x', timeout: 10, method: 'POST' },
    })
    expect(input).toEqual({ url: 'https://example.test/x' })
  })

  it('names every field at fault with a readable message', () => {
    const result = validateParams(
      schema,
      { timeout: 'a', method: 'PUT', extra: 1, headers: { a: 1 } },
      '/spec/p',
      'run',
    )
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues).toEqual(
      expect.arrayContaining([
        { path: '/spec/p/url', message: 'is required' },
        { path: '/spec/p/timeout', message: 'must be a whole number' },
        { path: '/spec/p/method', message: 'must be one of: GET, POST' },
        { path: '/spec/p/extra', message: 'is not a known field (known: url, timeout, method, headers)' },
        { path: '/spec/p/headers/a', message: 'must be text' },
      ]),
    )
    expect(result.issues).toHaveLength(5)
  })

  it('accepts templates where a typed value is expected at apply time only', () => {
    const params = { url: '{{ trigger.url }}', timeout: '{{ trigger.seconds }}', method: '{{ trigger.m }}' }
    expect(validateParams(schema, params, '/p', 'apply').ok).toBe(true)
    const strict = validateParams(schema, params, '/p', 'run')
    expect(strict.ok).toBe(false)
  })

  it('still refuses a wrong literal at apply time', () => {
    const result = validateParams(schema, { url: 'https://x.test', method: 'PUT' }, '/p', 'apply')
    expect(result).toEqual({
      ok: false,
      issues: [{ path: '/p/method', message: 'must be one of: GET, POST, not "PUT"' }],
    })
  })
})
