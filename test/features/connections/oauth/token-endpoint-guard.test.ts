/**
 * The token endpoint is an outgoing call like any other (issue 11, point 10): in server mode a
 * provider on loopback or a private network is refused unless the operator opts in.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { exchangeCode, OAuthError } from '../../../../src/features/connections/oauth/token-endpoint.js'

let calls = 0
const server = createServer((_req, res) => {
  calls += 1
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ access_token: 'gho_test', token_type: 'bearer' }))
})
let tokenUrl = ''

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/login/oauth/access_token`
})
afterAll(async () => {
  vi.unstubAllEnvs()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const config = () => ({
  service: 'github',
  clientId: 'id',
  clientSecret: 'secret',
  authorizeUrl: 'https://github.example/login/oauth/authorize',
  tokenUrl,
  scopes: [],
})
const exchange = () =>
  exchangeCode(config(), { code: 'c', verifier: 'v', redirectUri: 'http://area.test/cb' })

describe('token endpoint and the address guard', () => {
  it('refuses a loopback token endpoint by default, without a request and without retrying', async () => {
    vi.stubEnv('AREA_HTTP_ALLOW_PRIVATE', '')
    const error = await exchange().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OAuthError)
    expect(error).toMatchObject({ code: 'oauth_unreachable', retryable: false })
    expect((error as Error).message).toMatch(/127\.0\.0\.1 is a loopback address/)
    expect(calls).toBe(0)
  })

  it('reaches it once the operator allows loopback', async () => {
    vi.stubEnv('AREA_HTTP_ALLOW_PRIVATE', 'loopback')
    expect(await exchange()).toMatchObject({ accessToken: 'gho_test', tokenType: 'bearer' })
    expect(calls).toBe(1)
  })
})
