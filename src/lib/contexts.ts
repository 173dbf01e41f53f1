/**
 * Named contexts of the config file (config.ts), the way kubectl's contexts and the Supabase
 * CLI's profiles work: each holds a server URL and the token `area login` saved for it; one is
 * current. What `area context list|current|use|set|delete` read and change.
 */
import { CliError } from './cli-error.js'
import {
  type ConfigFile,
  checkContextExists,
  contextNamePattern,
  defaultApiUrl,
  defaultContext,
  readConfigFile,
  selectedContext,
  writeConfigFile,
} from './config.js'
import { ExitCode } from './exit-codes.js'

export interface ContextInfo {
  name: string
  /** The one commands use now (AREA_CONTEXT, else the file's current context). */
  current: boolean
  apiUrl: string
  email: string | null
  loggedIn: boolean
}

export function checkContextName(name: string): void {
  if (!contextNamePattern.test(name)) {
    throw new CliError(
      `"${name}" is not a context name: letters, digits, dots, dashes and underscores, up to 63`,
      { exitCode: ExitCode.invalid, code: 'invalid_arguments' },
    )
  }
}

/** Every context, `default` always among them, in name order. */
export async function listContexts(env = process.env): Promise<ContextInfo[]> {
  const file = await readConfigFile(env)
  const selected = selectedContext(file, env)
  const names = [...new Set([defaultContext, ...Object.keys(file.contexts)])].sort()
  return names.map((name) => {
    const stored = file.contexts[name] ?? {}
    return {
      name,
      current: name === selected,
      apiUrl: stored.apiUrl ?? defaultApiUrl,
      email: stored.email ?? null,
      loggedIn: Boolean(stored.token),
    }
  })
}

/** The context commands use now (AREA_CONTEXT, else the file's current one). */
export async function currentContext(env = process.env): Promise<ContextInfo> {
  const file = await readConfigFile(env)
  const name = selectedContext(file, env)
  // AREA_CONTEXT may name a context the file does not have: that error says how to create it.
  checkContextExists(file, name)
  const found = (await listContexts(env)).find((context) => context.name === name)
  if (!found) throw new Error(`no context "${name}"`)
  return found
}

export async function useContext(name: string, env = process.env): Promise<string> {
  const file = await readConfigFile(env)
  checkContextExists(file, name)
  file.currentContext = name
  return writeConfigFile(file, env)
}

/**
 * Creates the context, or points it at another server. A token belongs to its server: moving a
 * context to another URL forgets it (`forgotToken`).
 */
export async function setContext(
  name: string,
  apiUrl: string,
  env = process.env,
): Promise<{ created: boolean; forgotToken: boolean }> {
  checkContextName(name)
  const url = checkedUrl(apiUrl)
  const file = await readConfigFile(env)
  const existing = file.contexts[name]
  const moved = existing?.apiUrl !== undefined && existing.apiUrl !== url
  const forgotToken = Boolean(existing?.token) && moved
  file.contexts[name] = forgotToken ? { apiUrl: url } : { ...existing, apiUrl: url }
  await writeConfigFile(file, env)
  return { created: !existing, forgotToken }
}

/** Removes a context; when it was current, `default` becomes current. */
export async function deleteContext(
  name: string,
  env = process.env,
): Promise<{ hadToken: boolean; wasCurrent: boolean }> {
  const file: ConfigFile = await readConfigFile(env)
  if (!file.contexts[name]) {
    checkContextExists(file, name)
    return { hadToken: false, wasCurrent: false }
  }
  const hadToken = Boolean(file.contexts[name].token)
  delete file.contexts[name]
  const wasCurrent = file.currentContext === name
  if (wasCurrent) file.currentContext = defaultContext
  await writeConfigFile(file, env)
  return { hadToken, wasCurrent }
}

function checkedUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    url = new URL('invalid:')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`--api-url "${value}" is not an http:// or https:// URL`, {
      exitCode: ExitCode.invalid,
      code: 'invalid_arguments',
    })
  }
  return value.replace(/\/+$/, '')
}
