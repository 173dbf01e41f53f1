/**
 * The log lines `area dev` follows (real binary) are `area logs -f`'s (LogPrinter): the AREA
 * column as wide as the widest name seen, so a later, shorter name lines up under it, and no
 * state printed twice.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliSession, cliSession, webhookArea } from '../support/cli/cli-session.js'
import { type DevProcess, startDevProcess } from '../support/cli/dev-process.js'
import { seedDataDir } from '../support/db/seed-data-dir.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'

const LONG = 'a-rather-long-area-name'

let dataDir: string
let other: CliSession
let sink: HttpSink
let dev: DevProcess | undefined

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'area-cli-dev-logs-data-'))
  await seedDataDir(dataDir)
  other = await cliSession('dev-logs', undefined)
  sink = await startHttpSink()
})

afterAll(async () => {
  if (dev && dev.child.exitCode === null) dev.child.kill('SIGINT')
  await dev?.exited
  await sink?.close()
  await other?.cleanup()
  await rm(dataDir, { recursive: true, force: true })
})

describe('area dev log lines (real binary)', { timeout: 400_000 }, () => {
  it('prints the events as area logs -f does: aligned under the widest name, each state once', async () => {
    const file = await other.write(
      'areas.yaml',
      `${webhookArea(LONG, { url: `${sink.url}/long` })}---\n${webhookArea('short', { url: `${sink.url}/short` })}`,
    )
    dev = startDevProcess(['--port', '0', '-f', file], {
      AREA_DATA_DIR: dataDir,
      AREA_CONFIG_DIR: other.configDir,
    })
    await dev.waitFor('Following the logs')
    // One after the other: the long name is seen first, the short one then lines up under it.
    expect((await other.area(['run', LONG])).code).toBe(0)
    await dev.waitFor(new RegExp(`Z {2}${LONG} {2}done +attempt 1/\\d+ +forward=success`), {
      timeoutMs: 120_000,
    })
    expect((await other.area(['run', 'short'])).code).toBe(0)
    await dev.waitFor(new RegExp(`Z {2}short {${LONG.length - 'short'.length + 2}}done +attempt`), {
      timeoutMs: 120_000,
    })
    const { stdout } = dev.output()
    const lines = stdout.split('\n').filter((line) => /^\d{4}-\d\d-\d\dT\S+Z {2}/.test(line))
    expect(lines.length, stdout).toBeGreaterThanOrEqual(2)
    expect(new Set(lines).size, stdout).toBe(lines.length)
    // Every line's status starts at the same column: after the time, the AREA and their padding.
    const statusColumn = (line: string) => /^\S+ {2}\S+ +/.exec(line)?.[0].length
    expect(new Set(lines.map(statusColumn)), stdout).toEqual(
      new Set([`${lines[0]?.split('  ')[0]}  ${LONG}  `.length]),
    )
    expect(sink.requests.map((r) => r.path).sort()).toEqual(['/long', '/short'])

    dev.child.kill('SIGINT')
    expect(await dev.exited).toBe(0)
  })
})
