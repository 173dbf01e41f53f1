/** The Supabase session saved beside its access token, and when it is dropped. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig, removeToken, updateConfig } from '../../src/lib/config.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'area-supabase-config-test-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const session = {
  url: 'https://abcd.supabase.co',
  anonKey: 'anon',
  refreshToken: 'r1',
  expiresAt: 1_900_000_000,
}

describe('config file with a Supabase session', () => {
  it('keeps the session with its token, renews both together, and drops it with another login', async () => {
    const env = { AREA_CONFIG_DIR: join(dir, 'a') }
    await updateConfig({ apiUrl: 'http://a', token: 'jwt-1', email: 'e@x', supabase: session }, env)
    expect(await readConfig(env)).toEqual({
      apiUrl: 'http://a',
      token: 'jwt-1',
      email: 'e@x',
      supabase: session,
    })
    await updateConfig({ token: 'jwt-2', supabase: { ...session, refreshToken: 'r2' } }, env)
    expect((await readConfig(env)).supabase?.refreshToken).toBe('r2')
    // `area login` with a password or --with-token: the refresh token belonged to the old token.
    await updateConfig({ token: 'area_x', email: 'e@x' }, env)
    expect(await readConfig(env)).toEqual({ apiUrl: 'http://a', token: 'area_x', email: 'e@x' })
  })

  it('forgets the session on logout, and ignores a malformed one', async () => {
    const env = { AREA_CONFIG_DIR: join(dir, 'b') }
    await updateConfig({ apiUrl: 'http://a', token: 'jwt-1', supabase: session }, env)
    await removeToken(env)
    expect(await readConfig(env)).toEqual({ apiUrl: 'http://a' })
    const { writeConfig } = await import('../../src/lib/config.js')
    await writeConfig({ token: 't', supabase: { url: 'u' } as never }, env)
    expect(await readConfig(env)).toEqual({ token: 't' })
  })
})
