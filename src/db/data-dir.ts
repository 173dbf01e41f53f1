import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import envPaths from 'env-paths'

/**
 * The directory holding area's local state (the embedded database, the key file): `AREA_DATA_DIR`,
 * else the platform's data directory (e.g. `~/.local/share/area`). Created on first use, readable
 * by its owner only, because it ends up holding credentials and the encryption key.
 */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.AREA_DATA_DIR ? resolve(env.AREA_DATA_DIR) : envPaths('area', { suffix: '' }).data
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  return dir
}
