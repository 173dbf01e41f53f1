/**
 * `area dev` as a newcomer runs it: a child process with fresh data and config directories,
 * the example file applied, webhook URLs printed with a signed curl snippet that works as
 * printed, and the saved token usable by the CLI in another process. Ctrl-C stops it cleanly;
 * a second start reuses the saved token and finds the AREAs unchanged.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendWebhook } from '../support/api/client.js'
import { type CliSession, cliSession } from '../support/cli/cli-session.js'
import { type DevProcess, startDevProcess } from '../support/cli/dev-process.js'
import { cliHint, repoRoot, runCli } from '../support/cli/run-cli.js'
import { freePort } from '../support/redis.js'

let dataDir: string
let port: number
let other: CliSession

// No SINK_URL or other variable: the example's reactions call this server's own probes at the
// address dev listens on (AREA_PUBLIC_URL, which dev sets), not at the default 8080.
function startDev(): DevProcess {
  return startDevProcess(['--port', String(port)], {
    AREA_DATA_DIR: dataDir,
    AREA_CONFIG_DIR: other.configDir,
  })
}

/** No line of the terminal output is one of the daemon's JSON log lines. */
function expectNoJsonLogLines(text: string): void {
  expect(text.split('\n').filter((line) => line.startsWith('{"level"'))).toEqual([])
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
    const { stdout, stderr } = dev.output()
    expect(stdout).toContain(`area is running at http://127.0.0.1:${port}`)
    // The daemon's JSON lines are in a file the summary names; its warnings are short lines.
    expect(stdout).toContain(`Daemon logs (JSON lines): ${join(dataDir, 'dev.log')}`)
    expect(stderr).toMatch(/^warning: outgoing requests may also reach loopback/m)
    expectNoJsonLogLines(stdout)
    expectNoJsonLogLines(stderr)
    expect(await readFile(join(dataDir, 'dev.log'), 'utf8')).toContain('"msg":"area is running"')
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
    // The example's heartbeat says it first fires one minute after apply: it has not fired yet.
    const heartbeat = await other.json<{ trigger: { lastRunAt: string | null; nextRunAt: string | null } }>([
      'describe',
      'heartbeat',
    ])
    expect(heartbeat.data.trigger.lastRunAt).toBeNull()
    const firstFire = new Date(heartbeat.data.trigger.nextRunAt ?? 0).getTime() - Date.now()
    expect(firstFire).toBeGreaterThan(10_000)
    expect(firstFire).toBeLessThanOrEqual(60_000)
    expect(await readFile(join(repoRoot, 'areas.example.yaml'), 'utf8')).toContain(
      'Fires every minute, the first time one minute after apply',
    )
    const get = await other.json<{ name: string }[]>(['get'])
    expect(get.code).toBe(0)
    expect(get.data.map((a) => a.name).sort()).toEqual([
      'heartbeat',
      'order-fanout',
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
    await dev.waitFor(/webhook-relay\b.*\bdone\b.*forward=success.*confirm=success/, { timeoutMs: 90_000 })
    const described = await other.json(['describe', 'webhook-relay'])
    expect(JSON.stringify(described.data)).toContain(`http://127.0.0.1:${port}/healthz`)
    // The AREA language's example: a paid order runs the parallel pair, then one call per line
    // with a positive qty; another event is skipped, with the action's condition in the log.
    const fanout = await other.json<{ trigger: { webhookUrl: string; secret: string } }>([
      'describe',
      'order-fanout',
    ])
    const target = { webhookUrl: fanout.data.trigger.webhookUrl, secret: fanout.data.trigger.secret }
    const order = {
      type: 'order.paid',
      data: {
        id: 'o-1',
        amount: 42,
        lines: [
          { sku: 'A-1', qty: 2 },
          { sku: 'B-2', qty: 1 },
          { sku: 'C-3', qty: 0 },
        ],
      },
    }
    expect((await sendWebhook(target, order)).status).toBe(202)
    expect((await sendWebhook(target, { type: 'order.refunded' })).status).toBe(202)
    await dev.waitFor(/order-fanout\b.*\bdone\b.*lines\[1\]=success/, { timeoutMs: 90_000 })
    expect(dev.output().stdout).not.toMatch(/lines\[2\]/)
    await dev.waitFor(
      /order-fanout\b.*\bskipped\b.*when: has\(trigger\.type\) && trigger\.type == "order\.paid" was false/,
      {
        timeoutMs: 90_000,
      },
    )
    expect(JSON.stringify(described.data)).not.toContain('8080')
    expectNoJsonLogLines(dev.output().stdout)
    expectNoJsonLogLines(dev.output().stderr)
    // For the re-start below: an AREA of the file deleted meanwhile (as `apply --prune` would).
    expect((await other.area(['delete', 'heartbeat', '--yes'])).code).toBe(0)
  })

  it('stops cleanly on Ctrl-C', async () => {
    dev.child.kill('SIGINT')
    expect(await dev.exited).toBe(0)
    expect(dev.output().stderr).toContain('Stopping')
  })

  it('a second start reuses the saved token, finds the AREAs unchanged, and names what it re-creates', async () => {
    const before = JSON.parse(await readFile(join(other.configDir, 'config.json'), 'utf8'))
    const dev = startDev()
    try {
      await dev.waitFor('Following the logs')
      const { stdout } = dev.output()
      expect(stdout).not.toContain('Logged in as dev@localhost')
      expect(stdout).toMatch(/= unchanged +webhook-relay/)
      expect(stdout).toMatch(/\+ created +heartbeat/)
      expect(stdout).toContain(
        'Re-created heartbeat: an earlier `area dev` had applied it, and it was deleted since (area delete, apply --prune).',
      )
      expect(stdout).toContain('To keep it deleted, remove it from areas.example.yaml.')
      expect(JSON.parse(await readFile(join(other.configDir, 'config.json'), 'utf8')).token).toBe(
        before.token,
      )
    } finally {
      dev.child.kill('SIGINT')
    }
    expect(await dev.exited).toBe(0)
  })
})

describe('area dev that cannot start (real binary)', { timeout: 180_000 }, () => {
  let busy: Server
  afterAll(() => new Promise<void>((resolve) => (busy ? busy.close(() => resolve()) : resolve())))

  it('names a busy port and --port at once, before opening the database', async () => {
    busy = createServer()
    const taken = await freePort()
    await new Promise<void>((resolve) => busy.listen(taken, '127.0.0.1', resolve))
    const env = { AREA_DATA_DIR: dataDir, AREA_CONFIG_DIR: other.configDir }
    const [human, json] = await Promise.all([
      runCli(['dev', '--port', String(taken)], { env }),
      runCli(['dev', '--port', String(taken), '--json'], { env }),
    ])
    expect(human.code).toBe(1)
    expect(human.stderr).toContain(`Error: port ${taken} on 127.0.0.1 is already in use by another process`)
    expect(human.stderr).toContain(`\`${cliHint()} dev --port ${taken + 1}\``)
    expect(human.stderr).not.toContain('EADDRINUSE')
    expect(human.stderr).not.toContain('Starting area')
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'port_in_use' } })
  })

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
