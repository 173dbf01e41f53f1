/**
 * The CLI as one user runs it against one server: its own AREA_CONFIG_DIR (a temp dir per
 * test file), the server's URL, and the real binary through runCli.
 *
 * The binary is the run's built copy (test/support/cli/test-build.ts): about 0.3 s a call. Each
 * file still starts one daemon, runs independent calls concurrently, and groups assertions per
 * daemon.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from '../api/client.js'
import { type CliResult, runCli } from './run-cli.js'

export interface CliSession {
  configDir: string
  /** Scratch space for AREA files of the test. */
  dir: string
  area(args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<CliResult>
  /** Runs with --json and parses stdout (fails the test with the output if it is not JSON). */
  json<T = unknown>(
    args: string[],
    options?: { input?: string; env?: Record<string, string> },
  ): Promise<{ code: number | null; data: T; stderr: string }>
  write(name: string, text: string): Promise<string>
  cleanup(): Promise<void>
}

export async function cliSession(name: string, apiUrl: string | undefined): Promise<CliSession> {
  const configDir = await mkdtemp(join(tmpdir(), `area-cli-${name}-config-`))
  const dir = await mkdtemp(join(tmpdir(), `area-cli-${name}-files-`))
  const area: CliSession['area'] = (args, options = {}) =>
    runCli(args, {
      input: options.input,
      env: { AREA_CONFIG_DIR: configDir, ...(apiUrl ? { AREA_API_URL: apiUrl } : {}), ...options.env },
    })
  return {
    configDir,
    dir,
    area,
    async json<T>(args: string[], options = {}) {
      const result = await area([...args, '--json'], options)
      try {
        return { code: result.code, data: JSON.parse(result.stdout) as T, stderr: result.stderr }
      } catch {
        throw new Error(
          `area ${args.join(' ')} --json printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
        )
      }
    },
    async write(file: string, text: string) {
      const path = join(dir, file)
      await writeFile(path, text)
      return path
    },
    async cleanup() {
      await rm(configDir, { recursive: true, force: true })
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** A session whose user signed up through `area signup` (the password from stdin). */
export async function signedUpSession(
  name: string,
  apiUrl: string,
  email: string,
  password = 'password-123',
): Promise<CliSession> {
  const session = await cliSession(name, apiUrl)
  const signedUp = await session.area(['signup', '--email', email, '--password-stdin'], {
    input: `${password}\n`,
  })
  if (signedUp.code !== 0) {
    await session.cleanup()
    throw new Error(`area signup --email ${email} failed (exit ${signedUp.code}): ${signedUp.stderr}`)
  }
  return session
}

/** `area run NAME`, then `area logs` until that event is done or failed: its id and status. */
export async function runToEnd(session: CliSession, name: string): Promise<{ id: string; status: string }> {
  const ran = await session.json<{ hookLogId: string }>(['run', name])
  if (ran.code !== 0) throw new Error(`area run ${name} failed (exit ${ran.code}): ${ran.stderr}`)
  const id = ran.data.hookLogId
  const status = await waitFor(`the event of ${name} to end`, async () => {
    const detail = await session.json<{ status: string }>(['logs', id])
    return ['done', 'failed'].includes(detail.data.status) ? detail.data.status : undefined
  })
  return { id, status }
}

/** A small valid AREA document: a 5-minute timer that calls a URL. */
export function timerArea(
  name: string,
  options: { interval?: string; url?: string; extra?: string } = {},
): string {
  return [
    'apiVersion: area/v1',
    'kind: Area',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  action:',
    '    service: timer',
    '    action: every',
    `    params: { interval: ${options.interval ?? '5m'} }`,
    '  reactions:',
    '    - id: ping',
    '      service: http',
    '      reaction: request',
    '      params:',
    `        url: ${options.url ?? 'http://127.0.0.1:9/unused'}`,
    options.extra ?? '',
  ].join('\n')
}

/**
 * A webhook AREA whose reaction `forward` calls `url` (by default a port nothing listens on),
 * optionally with a method, headers and a body (each value a YAML scalar as written).
 */
export function webhookArea(
  name: string,
  options: {
    url?: string
    method?: string
    headers?: Record<string, string>
    body?: Record<string, string>
  } = {},
): string {
  const map = (key: string, entries: Record<string, string> | undefined) =>
    entries ? [`        ${key}:`, ...Object.entries(entries).map(([k, v]) => `          ${k}: ${v}`)] : []
  return [
    'apiVersion: area/v1',
    'kind: Area',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  action:',
    '    service: webhook',
    '    action: received',
    '  reactions:',
    '    - id: forward',
    '      service: http',
    '      reaction: request',
    '      params:',
    ...(options.method ? [`        method: ${options.method}`] : []),
    `        url: ${options.url ?? 'http://127.0.0.1:9/unused'}`,
    ...map('headers', options.headers),
    ...map('body', options.body),
    '',
  ].join('\n')
}
