import { statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { resolveDataDir } from '../../src/db/data-dir.js'

describe('resolveDataDir', () => {
  const dirs: string[] = []
  afterEach(() => {
    vi.unstubAllEnvs()
  })
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'area-data-dir-'))
    dirs.push(dir)
    return dir
  }

  it('uses AREA_DATA_DIR, made absolute, and creates it readable by its owner only', async () => {
    const wanted = join(await tempDir(), 'nested', 'data')
    const dir = resolveDataDir({ AREA_DATA_DIR: relative(process.cwd(), wanted) })
    expect(dir).toBe(wanted)
    expect(statSync(dir).isDirectory()).toBe(true)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
  })

  it('falls back to the platform data directory, named area', async () => {
    const home = await tempDir()
    vi.stubEnv('XDG_DATA_HOME', home)
    vi.stubEnv('AREA_DATA_DIR', undefined)
    if (process.platform === 'linux') expect(resolveDataDir()).toBe(join(home, 'area'))
    else expect(resolveDataDir()).toMatch(/area$/)
  })
})
