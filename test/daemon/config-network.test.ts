/**
 * Secure defaults by mode (issue 11, point 10): a server (Postgres, or an API beyond loopback)
 * refuses private, loopback and reserved addresses and closes signup after the first account
 * unless the operator opts in; the embedded `area dev` allows loopback and says so at start.
 */
import { describe, expect, it } from 'vitest'
import { ConfigError, loadDaemonConfig } from '../../src/daemon/config.js'
import { networkStartNotice } from '../../src/daemon/config-network.js'
import { refusalReason } from '../../src/net/address-guard.js'

const key = Buffer.alloc(32, 7).toString('base64')
const server = { DATABASE_URL: 'postgres://db.example/area', AREA_ENCRYPTION_KEY: key }
const load = (env: Record<string, string>) => loadDaemonConfig(env, { roles: ['all'], port: 0 })

describe('network settings by mode', () => {
  it('refuses loopback, private and reserved addresses and closes signup in server mode', () => {
    for (const env of [server, { HOST: '0.0.0.0', AREA_ENCRYPTION_KEY: key, AREA_DATA_DIR: '/tmp/x' }]) {
      const config = load(env)
      expect(config.network.serverMode).toBe(true)
      expect(config.signup).toBe('closed')
      for (const address of ['127.0.0.1', '::1', '10.0.0.1', '192.0.2.1', '::ffff:127.0.0.1']) {
        expect(refusalReason(address, config.network.addressPolicy), address).toBeDefined()
      }
      expect(refusalReason('93.184.216.34', config.network.addressPolicy)).toBeUndefined()
      expect(networkStartNotice(config.network, config.signup)).toEqual({
        level: 'info',
        message:
          'outgoing requests reach public addresses only; signup is closed after the first account (AREA_SIGNUP=open opens it)',
      })
    }
  })

  it('opens what the operator lists in server mode, and says so at start', () => {
    const config = load({ ...server, AREA_HTTP_ALLOW_PRIVATE: 'loopback,10.0.0.0/8', AREA_SIGNUP: 'open' })
    expect(config.signup).toBe('open')
    expect(refusalReason('127.0.0.1', config.network.addressPolicy)).toBeUndefined()
    expect(refusalReason('10.9.9.9', config.network.addressPolicy)).toBeUndefined()
    expect(refusalReason('192.168.0.1', config.network.addressPolicy)).toBeDefined()
    expect(networkStartNotice(config.network, config.signup)).toEqual({
      level: 'warn',
      message:
        'outgoing requests may also reach loopback,10.0.0.0/8; set AREA_HTTP_ALLOW_PRIVATE=none to refuse them; anyone may sign up (AREA_SIGNUP=open)',
    })
  })

  it('allows loopback only in the embedded mode on 127.0.0.1, with a start warning', () => {
    const config = load({ AREA_ENCRYPTION_KEY: key, AREA_DATA_DIR: '/tmp/area-embedded' })
    expect(config.network.serverMode).toBe(false)
    expect(config.signup).toBe('open')
    expect(refusalReason('127.0.0.1', config.network.addressPolicy)).toBeUndefined()
    expect(refusalReason('10.0.0.1', config.network.addressPolicy)).toBeDefined()
    expect(refusalReason('169.254.169.254', config.network.addressPolicy)).toBeDefined()
    const notice = networkStartNotice(config.network, config.signup)
    expect(notice.level).toBe('warn')
    expect(notice.message).toMatch(/^outgoing requests may also reach loopback \(embedded mode\)/)
  })

  it('lists a bad AREA_HTTP_ALLOW_PRIVATE or AREA_SMTP_PORTS among the problems', () => {
    let error: unknown
    try {
      load({ ...server, AREA_HTTP_ALLOW_PRIVATE: 'intranet', AREA_SMTP_PORTS: '25,http' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    const problems = (error as ConfigError).problems.join('\n')
    expect(problems).toMatch(/AREA_HTTP_ALLOW_PRIVATE="intranet"/)
    expect(problems).toMatch(/AREA_SMTP_PORTS="25,http"/)
  })
})
