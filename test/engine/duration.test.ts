import { describe, expect, it } from 'vitest'
import {
  DURATION_PATTERN,
  formatDuration,
  POSITIVE_DURATION_PATTERN,
  parseDuration,
} from '../../src/engine/duration.js'

describe('parseDuration', () => {
  it.each([
    ['30s', 30],
    ['5m', 300],
    ['1h', 3600],
    ['1d', 86_400],
    ['1h30m', 5400],
    ['2d3h4m5s', 2 * 86_400 + 3 * 3600 + 4 * 60 + 5],
    ['90s', 90],
    ['0s', 0],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds)
  })

  it.each(['', '30', '1.5h', '-5m', '5 m', '30S', '1m1h', '1h1h', '5ms', '1w', ' 5m', 'h'])(
    'refuses %j, naming the value and the accepted forms',
    (text) => {
      expect(() => parseDuration(text)).toThrow(JSON.stringify(text))
      expect(() => parseDuration(text)).toThrow(/30s, 5m, 1h30m, 1d/)
    },
  )

  it('refuses a duration too large to count exactly', () => {
    expect(() => parseDuration('99999999999999999999d')).toThrow(/too large/)
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [59, '59s'],
    [60, '1m'],
    [90, '1m30s'],
    [3600, '1h'],
    [5400, '1h30m'],
    [86_400, '1d'],
    [90_061, '1d1h1m1s'],
  ])('formats %i as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text)
    expect(parseDuration(text)).toBe(seconds)
  })

  it('refuses negative and fractional seconds', () => {
    expect(() => formatDuration(-1)).toThrow(/-1/)
    expect(() => formatDuration(1.5)).toThrow(/1.5/)
  })
})

describe('duration patterns for schemas', () => {
  const any = new RegExp(DURATION_PATTERN, 'u')
  const positive = new RegExp(POSITIVE_DURATION_PATTERN, 'u')

  it('accept what parseDuration accepts', () => {
    for (const text of ['30s', '1h30m', '2d3h4m5s', '10m']) {
      expect(any.test(text)).toBe(true)
      expect(positive.test(text)).toBe(true)
    }
  })

  it('refuse what parseDuration refuses', () => {
    for (const text of ['', '30', '1.5h', '1m1h', '5 m', 's']) {
      expect(any.test(text)).toBe(false)
      expect(positive.test(text)).toBe(false)
    }
  })

  it('positive refuses zero durations', () => {
    expect(any.test('0s')).toBe(true)
    expect(positive.test('0s')).toBe(false)
    expect(positive.test('0h0m')).toBe(false)
    expect(positive.test('0h10m')).toBe(true)
  })
})
