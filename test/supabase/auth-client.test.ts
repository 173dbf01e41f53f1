/** What the API reads from a bearer before asking Supabase, and how it reads auth-js errors. */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { authErrorKind, claimDate, jwtClaims } from '../../src/supabase/auth-client.js'

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const jwt = (header: unknown, payload: unknown) => {
  const signed = `${part(header)}.${part(payload)}`
  return `${signed}.${createHmac('sha256', 'k').update(signed).digest('base64url')}`
}

describe('jwtClaims', () => {
  it('reads the claims of anything shaped like a JWT, verifying nothing', () => {
    expect(jwtClaims(jwt({ alg: 'HS256', typ: 'JWT' }, { sub: 'u', exp: 1, iat: 0 }))).toEqual({
      sub: 'u',
      exp: 1,
      iat: 0,
    })
    expect(jwtClaims(jwt({ alg: 'ES256', kid: 'x' }, {}))).toEqual({})
  })

  it('is undefined for our API tokens and other bearers', () => {
    for (const token of [
      'area_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'a.b.c',
      `${part({ alg: 'HS256' })}.${part({})}`, // two parts
      `${part({ alg: 'HS256' })}.${part({})}.`, // empty signature
      `${part({ typ: 'JWT' })}.${part({})}.sig`, // no algorithm
      `${part({ alg: 'HS256' })}.${part([1])}.sig`, // payload not an object
      `${part({ alg: 'HS256' })}.${part({})}.si+g`, // not base64url
      `${part({ alg: 'HS256' })}.${'A'.repeat(9000)}.sig`, // too long
    ]) {
      expect(jwtClaims(token), token).toBeUndefined()
    }
  })

  it('turns NumericDate claims into dates', () => {
    expect(claimDate(1_700_000_000)?.toISOString()).toBe('2023-11-14T22:13:20.000Z')
    expect(claimDate('1700000000')).toBeNull()
    expect(claimDate(undefined)).toBeNull()
  })
})

describe('authErrorKind', () => {
  it('tells Supabase saying no from Supabase not answering', () => {
    expect(authErrorKind({ name: 'AuthApiError', status: 403 })).toBe('refused')
    expect(authErrorKind({ name: 'AuthApiError', status: 401 })).toBe('refused')
    expect(authErrorKind({ name: 'AuthSessionMissingError', status: 400 })).toBe('refused')
    expect(authErrorKind({ name: 'AuthRetryableFetchError', status: 0 })).toBe('unavailable')
    expect(authErrorKind({ name: 'AuthRetryableFetchError', status: 503 })).toBe('unavailable')
    expect(authErrorKind({ name: 'AuthUnknownError' })).toBe('unavailable')
    expect(authErrorKind({ name: 'AuthApiError', status: 500 })).toBe('unavailable')
  })
})
