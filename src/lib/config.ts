/**
 * Where the CLI finds its server and token: flag > environment (AREA_API_URL, AREA_TOKEN) >
 * config file (`$AREA_CONFIG_DIR/config.json`, default `~/.config/area/config.json`), which holds
 * one server and token per named context (`--context` / AREA_CONTEXT, else the file's current
 * one). The file holds tokens, so it is written with mode 0600 in a 0700 directory.
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { CliError } from './cli-error.js'
import { ExitCode } from './exit-codes.js'

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

/**
 * The whole file: named contexts (a server, and the token saved for it), like kubectl's contexts
 * or the Supabase CLI's profiles, and the one in use. A file of the single-server shape
 * (`{ apiUrl, token, … }` at the top) is the context `default` alone, token included; it takes
 * the `contexts` shape when a second context is made (see fileShape).
 */
export interface ConfigFile {
  currentContext: string
  contexts: Record<string, StoredConfig>
}

export const defaultContext = 'default'

/** Context names: what people type after `--context`, and keys of the file. */
export const contextNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/

export async function readConfigFile(env: Env = process.env): Promise<ConfigFile> {
  const file = configFile(env)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { currentContext: defaultContext, contexts: {} }
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, { code: 'config_unreadable' })
  }
  try {
    const value = JSON.parse(text) as unknown
    if (!isObject(value)) throw new Error('not a JSON object')
    if (!('contexts' in value)) {
      const legacy = storedConfigOf(value)
      return {
        currentContext: defaultContext,
        contexts: Object.keys(legacy).length ? { [defaultContext]: legacy } : {},
      }
    }
    if (!isObject(value.contexts)) throw new Error('"contexts" is not an object')
    const contexts: Record<string, StoredConfig> = {}
    for (const [name, entry] of Object.entries(value.contexts)) {
      if (!isObject(entry)) throw new Error(`context "${name}" is not an object`)
      contexts[name] = storedConfigOf(entry)
    }
    const current = typeof value.currentContext === 'string' ? value.currentContext : defaultContext
    return { currentContext: current, contexts }
  } catch (error) {
    throw new CliError(
      `${file} is not a valid config file (${(error as Error).message}): fix it, or remove it and run \`area login\``,
      { code: 'config_invalid' },
    )
  }
}

/** Replaces the file atomically (write + rename), so a crash never leaves half a token. */
export async function writeConfigFile(config: ConfigFile, env: Env = process.env): Promise<string> {
  const dir = configDir(env)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const file = configFile(env)
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, `${JSON.stringify(fileShape(config), null, 2)}\n`, { mode: 0o600 })
  // writeFile's mode is masked by the umask; the file must be 0600 whatever the umask is.
  await chmod(temporary, 0o600)
  await rename(temporary, file)
  return file
}

/**
 * With `default` as the only context, the file keeps the single-server shape: scripts that read
 * `.token`, and earlier versions of the CLI, still understand it. A second context, or another
 * current one, brings the `contexts` shape.
 */
function fileShape(config: ConfigFile): ConfigFile | StoredConfig {
  const names = Object.keys(config.contexts)
  const onlyDefault = names.every((name) => name === defaultContext)
  if (onlyDefault && config.currentContext === defaultContext) return config.contexts[defaultContext] ?? {}
  return config
}

/** The context commands use: AREA_CONTEXT (which `--context` sets), else the file's current one. */
export function selectedContext(file: ConfigFile, env: Env = process.env): string {
  return env.AREA_CONTEXT || file.currentContext || defaultContext
}

/**
 * Fails for a context named by --context or AREA_CONTEXT that the file does not have (`default`
 * always exists, empty at first).
 */
export function checkContextExists(file: ConfigFile, name: string): void {
  if (name === defaultContext || file.contexts[name]) return
  const known = [defaultContext, ...Object.keys(file.contexts).filter((n) => n !== defaultContext)]
  throw new CliError(
    `no context "${name}" (contexts: ${known.join(', ')}): create it with \`area context set ${name} --api-url <url>\``,
    { exitCode: ExitCode.invalid, code: 'context_not_found' },
  )
}

/** The selected context's server and token. */
export async function readConfig(env: Env = process.env): Promise<StoredConfig> {
  const file = await readConfigFile(env)
  const name = selectedContext(file, env)
  checkContextExists(file, name)
  return file.contexts[name] ?? {}
}

function isObject(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value)
}

function storedConfigOf(value: Record<string, unknown>): StoredConfig {
  const { apiUrl, token, email, supabase } = value
  const session = supabaseSessionOf(supabase)
  return {
    ...(typeof apiUrl === 'string' ? { apiUrl } : {}),
    ...(typeof token === 'string' ? { token } : {}),
    ...(typeof email === 'string' ? { email } : {}),
    ...(session ? { supabase: session } : {}),
  }
}

function supabaseSessionOf(value: unknown): StoredSupabaseSession | undefined {
  if (!value || typeof value !== 'object') return undefined
  const { url, anonKey, refreshToken, expiresAt } = value as Record<string, unknown>
  if (typeof url !== 'string' || typeof anonKey !== 'string' || typeof refreshToken !== 'string')
    return undefined
  return { url, anonKey, refreshToken, expiresAt: typeof expiresAt === 'number' ? expiresAt : 0 }
}

/** Replaces the selected context's entry (creating the context), keeping the others. */
export async function writeConfig(config: StoredConfig, env: Env = process.env): Promise<string> {
  const file = await readConfigFile(env)
  file.contexts[selectedContext(file, env)] = config
  return writeConfigFile(file, env)
}

/**
 * Merges `change` into the file. A new token without a Supabase session drops the saved one: its
 * refresh token belongs to the token being replaced.
 */
export async function updateConfig(change: StoredConfig, env: Env = process.env): Promise<string> {
  const file = await readConfigFile(env)
  const current = file.contexts[selectedContext(file, env)] ?? {}
  if (change.token !== undefined && change.supabase === undefined) delete current.supabase
  return writeConfig({ ...current, ...change }, env)
}

export async function removeToken(env: Env = process.env): Promise<void> {
  const file = await readConfigFile(env)
  const name = selectedContext(file, env)
  const { token: _dropped, supabase: _session, ...rest } = file.contexts[name] ?? {}
  if (Object.keys(rest).length) file.contexts[name] = rest
  else delete file.contexts[name]
  const onlyDefault = Object.keys(file.contexts).length === 0 && file.currentContext === defaultContext
  if (onlyDefault) await rm(configFile(env), { force: true })
  else await writeConfigFile(file, env)
}

export interface Resolved<T> {
  value: T
  source: 'flag' | 'env' | 'config' | 'default'
}

export interface Connection {
  apiUrl: Resolved<string>
  token: Resolved<string> | undefined
}

/**
 * flag > env > the selected context of the config file (> default for the URL). `newContext`:
 * a context that does not exist yet is empty rather than an error when the URL is given
 * (`area login --context prod --api-url …` creates it).
 */
export async function resolveConnection(
  flags: { apiUrl?: string; token?: string },
  env: Env = process.env,
  options: { newContext?: boolean } = {},
): Promise<Connection> {
  const file = await readConfigFile(env)
  const name = selectedContext(file, env)
  if (!(options.newContext && (flags.apiUrl || env.AREA_API_URL))) checkContextExists(file, name)
  const stored = file.contexts[name] ?? {}
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
