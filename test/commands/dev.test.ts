/**
 * `area dev` as a newcomer runs it: a child process with fresh data and config directories,
 * the example file applied, webhook URLs printed with a signed curl snippet that works as
 * printed, and the saved token usable by the CLI in another process. Ctrl-C stops it cleanly;
 * a second start reuses the saved token and finds the AREAs unchanged.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliSession, cliSession } from '../support/cli/cli-session.js'
import { repoRoot, runCli } from '../support/cli/run-cli.js'
import { freePort } from '../support/redis.js'

interface DevProcess {
  child: ChildProcess
  output(): { stdout: string; stderr: string }
  waitFor(text: string, timeoutMs?: number): Promise<void>
  exited: Promise<number | null>
}

let dataDir: string
let port: number
let other: CliSession

function startDev(): DevProcess {
  const sink = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/dev.js', 'dev', '--port', String(port)], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      AREA_DATA_DIR: dataDir,
      AREA_CONFIG_DIR: other.configDir,
      // The example's reactions call this server's own probes.
      SINK_URL: `${sink}/healthz`,
      CONFIRM_URL: `${sink}/healthz`,
      WATCH_URL: `${sink}/readyz`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    async waitFor(text, timeoutMs = 150_000) {
      const deadline = Date.now() + timeoutMs
      while (!stdout.includes(text)) {
        if (child.exitCode !== null)
          throw new Error(`area dev exited with ${child.exitCode}:\n${stdout}\n${stderr}`)
        if (Date.now() > deadline) throw new Error(`area dev never printed "${text}":\n${stdout}\n${stderr}`)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    },
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'area-cli-dev-data-'))
  port = await freePort()
  // No AREA_API_URL: the other terminal finds the server through the saved config alone.
  other = await cliSession('dev', undefined)
})

afterAll(async () => {
  await other?.cleanup()
  await rm(dataDir, { recursive: true, force: true })
})

describe('area dev (real binary)', { timeout: 400_000 }, () => {
  let dev: DevProcess

  it('runs everything, applies the example, prints the webhook URLs, and shares its login', async () => {
    dev = startDev()
    await dev.waitFor('Following the logs')
    const { stdout } = dev.output()
    expect(stdout).toContain(`area is running at http://127.0.0.1:${port}`)
    expect(stdout).toMatch(/\+ created +webhook-relay/)
    expect(stdout).toMatch(
      new RegExp(`webhook-relay  http://127\\.0\\.0\\.1:${port}/webhooks/webhook/[0-9a-f-]{36}`),
    )
    expect(stdout).toMatch(new RegExp(`paid-invoices  http://127\\.0\\.0\\.1:${port}/webhooks/webhook/`))

    const file = join(other.configDir, 'config.json')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      apiUrl: `http://127.0.0.1:${port}`,
      email: 'dev@localhost',
      token: expect.stringMatching(/^area_/),
    })
    const get = await other.json<{ name: string }[]>(['get'])
    expect(get.code).toBe(0)
    expect(get.data.map((a) => a.name).sort()).toEqual([
      'heartbeat',
      'paid-invoices',
      'readiness-watch',
      'webhook-relay',
      'weekday-digest',
    ])
  })

  it('prints a signed curl snippet that the webhook accepts as printed, and logs the event', async () => {
    const { stdout } = dev.output()
    // The snippet exactly as printed (indentation removed), reporting the status code.
    const snippet = stdout
      .slice(stdout.indexOf("  SECRET='"))
      .split('\n')
      .slice(0, 7)
      .map((l) => l.replace(/^ {2}/, ''))
      .join('\n')
      .replace('curl -sS', "curl -sS -o /dev/null -w 'HTTP %{http_code}'")
    const { stdout: curl } = await promisify(execFile)('bash', ['-c', snippet])
    expect(curl).toMatch(/^HTTP 2\d\d$/)
    // The followed log shows the event (the line after the banner names the AREA).
    await dev.waitFor('Ctrl-C stops everything.\n\n')
    const deadline = Date.now() + 60_000
    while (!/\n\S+ +webhook-relay +/.test(dev.output().stdout) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    expect(dev.output().stdout).toMatch(/\n\S+ +webhook-relay +/)
  })

  it('stops cleanly on Ctrl-C', async () => {
    dev.child.kill('SIGINT')
    expect(await dev.exited).toBe(0)
    expect(dev.output().stderr).toContain('Stopping')
  })

  it('a second start reuses the saved token and finds the AREAs unchanged', async () => {
    const before = JSON.parse(await readFile(join(other.configDir, 'config.json'), 'utf8'))
    const dev = startDev()
    try {
      await dev.waitFor('Following the logs')
      const { stdout } = dev.output()
      expect(stdout).not.toContain('Logged in as dev@localhost')
      expect(stdout).toMatch(/= unchanged +webhook-relay/)
      expect(JSON.parse(await readFile(join(other.configDir, 'config.json'), 'utf8')).token).toBe(
        before.token,
      )
    } finally {
      dev.child.kill('SIGINT')
    }
    expect(await dev.exited).toBe(0)
  })
})

describe('area dev with an invalid configuration (real binary)', { timeout: 120_000 }, () => {
  it('exits 3 before starting anything: the base command maps the daemon configuration error', async () => {
    const env = { AREA_DATA_DIR: dataDir, AREA_CONFIG_DIR: other.configDir, AREA_WORKER_CONCURRENCY: 'lots' }
    const [human, json] = await Promise.all([runCli(['dev'], { env }), runCli(['dev', '--json'], { env })])
    expect(human.code).toBe(3)
    expect(human.stderr).toContain('Error: invalid configuration:')
    expect(human.stderr).toContain('AREA_WORKER_CONCURRENCY must be a whole number')
    expect(json.code).toBe(3)
    expect(json.stdout).toBe('')
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'invalid_configuration' } })
  })
})
