import { describe, expect, it } from 'vitest'
import {
  findUnstorableString,
  hasUnstorableEscape,
  jsonDepthExceeds,
  serializeForStorage,
} from '../../src/engine/json-limits.js'

describe('JSON limits', () => {
  it('measures nesting from the text, ignoring brackets inside strings and escaped quotes', () => {
    expect(jsonDepthExceeds('[[{"a":[1]}]]', 4)).toBe(false)
    expect(jsonDepthExceeds('[[{"a":[1]}]]', 3)).toBe(true)
    expect(jsonDepthExceeds('{"s":"[[[[[[\\"[[[["}', 1)).toBe(false)
    expect(jsonDepthExceeds(`${'['.repeat(1_000_000)}`, 400)).toBe(true)
    // Siblings do not add up: depth, not count.
    expect(jsonDepthExceeds(`[${'[],'.repeat(10_000)}[]]`, 2)).toBe(false)
  })

  it('finds U+0000 and unpaired surrogates in keys and values, with the JSON pointer, without recursion', () => {
    expect(findUnstorableString({ a: ['ok', 'x\u0000'] })).toBe('/a/1')
    expect(findUnstorableString({ 'a/b~': { '\ud800': 1 } }, '/body')).toBe('/body/a~1b~0/\ud800')
    expect(findUnstorableString({ fine: '😀 \ud83d\ude00', n: 1, z: null })).toBeUndefined()
    expect(findUnstorableString('\udc00 low first')).toBe('')
    let deep: unknown = 'x\u0000'
    for (let i = 0; i < 100_000; i++) deep = [deep]
    expect(findUnstorableString(deep)).toBe('/0'.repeat(100_000))
  })

  it('tells serialised escapes of a NUL or a lone surrogate from text that only looks like one', () => {
    expect(hasUnstorableEscape(JSON.stringify({ a: '\u0000' }))).toBe(true)
    expect(hasUnstorableEscape(JSON.stringify({ a: '\ud800' }))).toBe(true)
    expect(hasUnstorableEscape(JSON.stringify({ a: '\\u0000', b: '😀' }))).toBe(false)
    expect(hasUnstorableEscape(JSON.stringify({ a: '\\\u0000' }))).toBe(true)
  })

  it('serialises one value on its own, saying why it cannot be stored', () => {
    expect(serializeForStorage({ a: 1 })).toEqual({ ok: true, json: '{"a":1}' })
    expect(serializeForStorage({ a: 1n })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('serialised'),
    })
    expect(serializeForStorage(undefined)).toEqual({ ok: false, reason: 'it is not a JSON value' })
    expect(serializeForStorage({ t: 'a\u0000' })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('U+0000'),
    })
  })
})
