/**
 * Where the CLI finds its server and token: flag > environment (AREA_API_URL, AREA_TOKEN) >
 * config file (`$AREA_CONFIG_DIR/config.json`, default `~/.config/area/config.json`). The file
 * holds a token, so it is written with mode 0600 in a 0700 directory.
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { CliError } from './cli-error.js'

export const defaultApiUrl = 'http://127.0.0.1:8080'

export interface StoredConfig {
  apiUrl?: string
  token?: string
  email?: string
  /** Set when `token` is a Supabase access token from `area login --supabase`: how to renew it. */
  supabase?: StoredSupabaseSession
}

export interface StoredSupabaseSession {
  url: string
  anonKey: string
  refreshToken: string
  /** When the access token expires, in seconds since the epoch (Supabase's `expires_at`). */
  expiresAt: number
}

type Env = Readonly<Record<string, string | undefined>>

export function configDir(env: Env = process.env): string {
  return env.AREA_CONFIG_DIR || join(env.HOME || homedir(), '.config', 'area')
}

export function configFile(env: Env = process.env): string {
  return join(configDir(env), 'config.json')
}

export async function readConfig(env: Env = process.env): Promise<StoredConfig> {
  const file = configFile(env)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, { code: 'config_unreadable' })
  }
  try {
    const value = JSON.parse(text) as unknown
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object')
    const { apiUrl, token, email, supabase } = value as Record<string, unknown>
    const session = supabaseSessionOf(supabase)
    return {
      ...(typeof apiUrl === 'string' ? { apiUrl } : {}),
      ...(typeof token === 'string' ? { token } : {}),
      ...(typeof email === 'string' ? { email } : {}),
      ...(session ? { supabase: session } : {}),
    }
  } catch (error) {
    throw new CliError(
      `${file} is not a valid config file (${(error as Error).message}): fix it, or remove it and run \`area login\``,
      { code: 'config_invalid' },
    )
  }
}

function supabaseSessionOf(value: unknown): StoredSupabaseSession | undefined {
  if (!value || typeof value !== 'object') return undefined
  const { url, anonKey, refreshToken, expiresAt } = value as Record<string, unknown>
  if (typeof url !== 'string' || typeof anonKey !== 'string' || typeof refreshToken !== 'string')
    return undefined
  return { url, anonKey, refreshToken, expiresAt: typeof expiresAt === 'number' ? expiresAt : 0 }
}

/** Replaces the file atomically (write + rename), so a crash never leaves half a token. */
export async function writeConfig(config: StoredConfig, env: Env = process.env): Promise<string> {
  const dir = configDir(env)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const file = configFile(env)
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 })
  // writeFile's mode is masked by the umask; the file must be 0600 whatever the umask is.
  await chmod(temporary, 0o600)
  await rename(temporary, file)
  return file
}

/**
 * Merges `change` into the file. A new token without a Supabase session drops the saved one: its
 * refresh token belongs to the token being replaced.
 */
export async function updateConfig(change: StoredConfig, env: Env = process.env): Promise<string> {
  const current = await readConfig(env)
  if (change.token !== undefined && change.supabase === undefined) delete current.supabase
  return writeConfig({ ...current, ...change }, env)
}

export async function removeToken(env: Env = process.env): Promise<void> {
  const { token: _dropped, supabase: _session, ...rest } = await readConfig(env)
  if (Object.keys(rest).length === 0) await rm(configFile(env), { force: true })
  else await writeConfig(rest, env)
}

export interface Resolved<T> {
  value: T
  source: 'flag' | 'env' | 'config' | 'default'
}

export interface Connection {
  apiUrl: Resolved<string>
  token: Resolved<string> | undefined
}

/** flag > env > config file (> default for the URL). */
export async function resolveConnection(
  flags: { apiUrl?: string; token?: string },
  env: Env = process.env,
): Promise<Connection> {
  const stored = await readConfig(env)
  const apiUrl: Resolved<string> = flags.apiUrl
    ? { value: flags.apiUrl, source: 'flag' }
    : env.AREA_API_URL
      ? { value: env.AREA_API_URL, source: 'env' }
      : stored.apiUrl
        ? { value: stored.apiUrl, source: 'config' }
        : { value: defaultApiUrl, source: 'default' }
  const token: Resolved<string> | undefined = flags.token
    ? { value: flags.token, source: 'flag' }
    : env.AREA_TOKEN
      ? { value: env.AREA_TOKEN, source: 'env' }
      : stored.token
        ? { value: stored.token, source: 'config' }
        : undefined
  return { apiUrl: { ...apiUrl, value: apiUrl.value.replace(/\/+$/, '') }, token }
}
