import { describe, expect, it } from 'vitest'
import { isDatabaseUnavailable } from '../../src/db/unavailable.js'

const withCode = (code: string) => Object.assign(new Error(`failed (${code})`), { code })

describe('isDatabaseUnavailable', () => {
  it.each([
    'ECONNREFUSED',
    'ECONNRESET',
    'EPIPE',
    'ETIMEDOUT',
    '08006',
    '08001',
    '57P01',
    '57P02',
    '57P03',
    '53300',
  ])('says yes to %s', (code) => {
    expect(isDatabaseUnavailable(withCode(code))).toBe(true)
  })

  it('says yes to what node-postgres and pg-pool say in words, and to wrapped causes', () => {
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true)
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true)
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: withCode('57P01') }))).toBe(true)
    expect(isDatabaseUnavailable(new AggregateError([withCode('ECONNREFUSED')], 'connect'))).toBe(true)
  })

  it('says no to bad input, bugs and anything that is not an error', () => {
    expect(isDatabaseUnavailable(withCode('23505'))).toBe(false)
    expect(isDatabaseUnavailable(withCode('22P02'))).toBe(false)
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false)
    expect(isDatabaseUnavailable(undefined)).toBe(false)
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false)
  })
})
