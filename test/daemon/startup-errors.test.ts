import { describe, expect, it } from 'vitest'
import { connectReason, endpointOf, StartTimeoutError } from '../../src/daemon/startup.js'

describe('start-up errors', () => {
  it('name the host and port tried, never the user or password', () => {
    expect(endpointOf('postgres://app:s3cret@db.internal:6543/area?sslmode=require', 'postgres')).toBe(
      'db.internal:6543',
    )
    expect(endpointOf('postgres://app:s3cret@db.internal/area', 'postgres')).toBe('db.internal:5432')
    expect(endpointOf('rediss://:s3cret@cache:6380/0', 'redis')).toBe('cache:6380')
    expect(endpointOf('redis://cache', 'redis')).toBe('cache:6379')
    expect(endpointOf('not a url s3cret', 'postgres')).toBe('the address in DATABASE_URL')
  })

  it('say why in words, through Node’s wrapped dual-stack errors too', () => {
    const refused = Object.assign(
      new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]),
      {
        code: undefined,
      },
    )
    expect(connectReason(refused)).toBe('connection refused: nothing listens there')
    expect(connectReason(Object.assign(new Error('getaddrinfo ENOTFOUND db'), { code: 'ENOTFOUND' }))).toBe(
      'host not found',
    )
    expect(connectReason(new Error('something else'))).toBe('something else')
  })

  it('say which setting to fix and how long to wait', () => {
    const error = new StartTimeoutError(
      { status: 'starting', waitingFor: 'redis', endpoint: 'cache:6379', reason: 'host not found' },
      30,
    )
    expect(error.message).toBe(
      'gave up after 30 s waiting for redis at cache:6379, from REDIS_URL (host not found): start redis there, or set REDIS_URL to the host and port of a running server, or wait longer with AREA_START_TIMEOUT (seconds)',
    )
  })
})
