/**
 * `area dev --watch` (real binary): saving the file re-validates and re-applies it and prints
 * what changed; an invalid edit prints the problem and leaves the running AREAs as they were;
 * an editor's save by rename is seen too.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliSession, cliSession, timerArea, webhookArea } from '../support/cli/cli-session.js'
import { type DevProcess, startDevProcess } from '../support/cli/dev-process.js'
import { seedDataDir } from '../support/db/seed-data-dir.js'

let dataDir: string
let other: CliSession
let file: string
let dev: DevProcess

const withTimer = (interval: string, extra = '') =>
  `${timerArea('tick', { interval })}---\n${webhookArea('hook')}${extra}`

/** Saves as many editors do: a new file renamed over the old one. */
async function saveByRename(text: string): Promise<void> {
  const temporary = `${file}.swp~`
  await writeFile(temporary, text)
  await rename(temporary, file)
}

/** How many times stdout or stderr holds `text`. */
function count(text: string, stream: 'stdout' | 'stderr' = 'stdout'): number {
  return dev.output()[stream].split(text).length - 1
}

async function intervalOf(name: string): Promise<string> {
  const described = await other.json<{ trigger: unknown; spec?: unknown }>(['describe', name])
  expect(described.code).toBe(0)
  return /"interval":"([^"]+)"/.exec(JSON.stringify(described.data))?.[1] ?? 'none'
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'area-cli-dev-watch-data-'))
  await seedDataDir(dataDir)
  other = await cliSession('dev-watch', undefined)
  file = await other.write('areas.yaml', withTimer('5m'))
})

afterAll(async () => {
  if (dev && dev.child.exitCode === null) dev.child.kill('SIGINT')
  await dev?.exited
  await other?.cleanup()
  await rm(dataDir, { recursive: true, force: true })
})

describe('area dev --watch (real binary)', { timeout: 400_000 }, () => {
  it('re-applies a saved change and prints it, keeps the AREAs on an invalid edit, then applies the next', async () => {
    dev = startDevProcess(['--port', '0', '-f', file, '--watch'], {
      AREA_DATA_DIR: dataDir,
      AREA_CONFIG_DIR: other.configDir,
    })
    await dev.waitFor('Following the logs')
    expect(dev.output().stdout).toMatch(/\+ created +tick/)
    await dev.waitFor(`Watching ${file}: saving re-applies.`, { stream: 'stderr' })
    expect(await intervalOf('tick')).toBe('5m')

    // A valid change, saved by rename: the updated AREA and its diff.
    await saveByRename(withTimer('10m'))
    await dev.waitFor(/changed; applied:\n +~ tick \(updated\)/, { timeoutMs: 60_000 })
    const { stdout } = dev.output()
    expect(stdout).toContain(`↻ ${file} changed; applied:`)
    expect(stdout).toMatch(/^ +- "5m"$/m)
    expect(stdout).toMatch(/^ +\+ "10m"$/m)
    // Only what changed is listed: the webhook AREA is not.
    expect(stdout).not.toMatch(/hook \((updated|unchanged)\)/)
    expect(await intervalOf('tick')).toBe('10m')

    // An invalid edit: the problem with file and line, and the running AREA stays as it was.
    await writeFile(file, withTimer('5 parsecs'))
    await dev.waitFor('The running AREAs are unchanged; fix the file and save it again.', {
      stream: 'stderr',
      timeoutMs: 60_000,
    })
    const { stderr } = dev.output()
    expect(stderr).toContain(
      `✗ ${file} changed, but 1 problem in the AREA files; nothing was sent to the server:`,
    )
    expect(stderr).toMatch(
      new RegExp(`${file.replaceAll('.', '\\.')}:\\d+:\\d+: /spec/action/params/interval`),
    )
    expect(await intervalOf('tick')).toBe('10m')
    expect(count('changed; applied:')).toBe(1)

    // Fixed, with two more AREAs: created, and the unchanged ones not listed.
    await writeFile(
      file,
      withTimer('10m', `---\n${timerArea('tock', { interval: '1h' })}---\n${webhookArea('hook-two')}`),
    )
    await dev.waitFor(/changed; applied:\n +\+ tock \(created\)\n +\+ hook-two \(created\)\n/, {
      timeoutMs: 60_000,
    })
    // A new webhook AREA: its URL, to call it.
    expect(dev.output().stdout).toMatch(
      /\n {2}Webhook URL of hook-two: http:\/\/127\.0\.0\.1:\d+\/webhooks\/webhook\/[0-9a-f-]{36} \(its secret: area describe hook-two\)\n/,
    )
    expect(count('changed; applied:')).toBe(1 + 1)
    const last = dev.output().stdout.slice(dev.output().stdout.lastIndexOf('changed; applied:'))
    expect(last).not.toMatch(/ (tick|hook) \(/)
    expect(await intervalOf('tock')).toBe('1h')
    expect(
      dev
        .output()
        .stderr.split('\n')
        .filter((line) => line.startsWith('{')),
    ).toEqual([])

    dev.child.kill('SIGINT')
    expect(await dev.exited).toBe(0)
  })
})
