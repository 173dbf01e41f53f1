/** Where the CLI finds its server and token: flag > environment > config file > default. */
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configDir, readConfig, removeToken, resolveConnection, writeConfig } from '../../src/lib/config.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'area-config-test-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('config', () => {
  it('defaults to ~/.config/area and honours AREA_CONFIG_DIR', () => {
    expect(configDir({ HOME: '/home/u' })).toBe('/home/u/.config/area')
    expect(configDir({ HOME: '/home/u', AREA_CONFIG_DIR: '/x' })).toBe('/x')
  })

  it('writes config.json with mode 0600 in a 0700 directory, whatever the umask', async () => {
    const env = { AREA_CONFIG_DIR: join(dir, 'nested') }
    const previous = process.umask(0o022)
    try {
      await writeConfig({ apiUrl: 'http://a', token: 't', email: 'e@x' }, env)
    } finally {
      process.umask(previous)
    }
    expect((await stat(join(dir, 'nested', 'config.json'))).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir, 'nested'))).mode & 0o777).toBe(0o700)
    expect(await readConfig(env)).toEqual({ apiUrl: 'http://a', token: 't', email: 'e@x' })
    await removeToken(env)
    expect(await readConfig(env)).toEqual({ apiUrl: 'http://a', email: 'e@x' })
  })

  it('resolves flag > env > file > default', async () => {
    const env = { AREA_CONFIG_DIR: join(dir, 'precedence') }
    expect(await resolveConnection({}, env)).toEqual({
      apiUrl: { value: 'http://127.0.0.1:8080', source: 'default' },
      token: undefined,
    })
    await writeConfig({ apiUrl: 'http://file/', token: 'file-token' }, env)
    expect(await resolveConnection({}, env)).toEqual({
      apiUrl: { value: 'http://file', source: 'config' },
      token: { value: 'file-token', source: 'config' },
    })
    const withEnv = { ...env, AREA_API_URL: 'http://env', AREA_TOKEN: 'env-token' }
    expect(await resolveConnection({}, withEnv)).toMatchObject({
      apiUrl: { source: 'env', value: 'http://env' },
      token: { source: 'env', value: 'env-token' },
    })
    expect(await resolveConnection({ apiUrl: 'http://flag', token: 'flag-token' }, withEnv)).toMatchObject({
      apiUrl: { source: 'flag', value: 'http://flag' },
      token: { source: 'flag', value: 'flag-token' },
    })
  })

  it('names the file and the fix when it is not valid JSON', async () => {
    const env = { AREA_CONFIG_DIR: join(dir, 'broken') }
    await writeConfig({}, env)
    const { writeFile } = await import('node:fs/promises')
    await writeFile(join(dir, 'broken', 'config.json'), '{oops')
    await expect(readConfig(env)).rejects.toThrow(
      /broken\/config\.json is not a valid config file.*area login/,
    )
  })
})
