/**
 * The AREA language through the real binary: `validate` passes a file using every key and lists
 * every mistake of a file with one of each kind at file:line:col; against a real embedded
 * `area serve`, `apply` stores it, `describe` shows the keys, and `export` round-trips them
 * (`diff` of the exported file finds nothing; a changed `when` or flow key is a change on its path).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliSession, cliSession } from '../support/cli/cli-session.js'
import { runCli } from '../support/cli/run-cli.js'
import { type DaemonProcess, startDaemon } from '../support/daemon/process.js'

const EVERY_KEY = 'test/fixtures/area-language/every-key.yaml'
const MISTAKES = 'test/fixtures/area-language/mistakes.yaml'

describe('area validate on the AREA language (real binary)', { timeout: 120_000 }, () => {
  it('passes a file using every key', async () => {
    const { code, stdout, stderr } = await runCli(['validate', '-f', EVERY_KEY])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toContain('alert: http.request (on failure)')
  })

  it('fails a file with one mistake of each kind, listing every one at its line and column', async () => {
    const { code, stderr } = await runCli(['validate', '-f', MISTAKES])
    expect(code).toBe(3)
    const lines = stderr.split('\n').filter((l) => l.startsWith(MISTAKES))
    expect(lines.map((l) => l.slice(MISTAKES.length + 1).split(': ')[0])).toEqual([
      '11:32',
      '16:15',
      '17:14',
      '18:22',
      '22:15',
      '23:17',
      '24:26',
      '24:37',
      '24:52',
      '25:16',
      '26:22',
      '30:23',
      '30:30',
      '31:22',
      '33:11',
      '36:15',
      '37:13',
      '42:22',
    ])
    expect(stderr).toContain('needs form a cycle: second → third → second')
    expect(stderr).toContain('18 problems in 1 of 1 file')
  })
})

describe('apply, describe and export of the AREA language (embedded server)', { timeout: 300_000 }, () => {
  let daemon: DaemonProcess
  let dataDir: string
  let me: CliSession

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'area-cli-language-data-'))
    daemon = await startDaemon({ name: 'cli-language', role: 'all', env: { AREA_DATA_DIR: dataDir } })
    me = await cliSession('language', daemon.url)
    const signup = await me.area(['signup', '--email', 'language@example.com', '--password-stdin'], {
      input: 'password-123\n',
    })
    if (signup.code !== 0) throw new Error(`signup failed: ${signup.stderr}`)
  })

  afterAll(async () => {
    await daemon?.stop()
    await me?.cleanup()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('applies, describes, exports and diffs back to nothing; a changed when shows on its path', async () => {
    const applied = await me.area(['apply', '-f', EVERY_KEY])
    expect(applied.stderr).toBe('')
    expect(applied.code).toBe(0)

    const described = await me.area(['describe', 'bug-triage'])
    expect(described.code).toBe(0)
    expect(described.stdout).toContain('When:         trigger.body.action == "opened"')
    expect(described.stdout).toContain('    retry: 5 attempts, exponential, delay 2s, max 1m · timeout: 30s')
    expect(described.stdout).toContain('    for_each: trigger.body.labels.filter(l, l.name != "bug")')
    expect(described.stdout).toMatch(/On failure:\n {2}alert: http\.request\n {6}when: error\.attempt >= 1/)
    expect(described.stdout).toContain(
      [
        'Flow control:',
        '  concurrency: 2 at once per trigger.body.repository.id',
        '  rate_limit: 10 per 1m; honours Retry-After',
        '  debounce: 30s, last event of a burst per trigger.body.issue.number',
      ].join('\n'),
    )

    const exported = await me.area(['export', 'bug-triage'])
    expect(exported.code).toBe(0)
    // The flow keys come back as written, so the diff below finds nothing.
    expect(exported.stdout).toContain('rate_limit:')
    expect(exported.stdout).toContain('key: trigger.body.issue.number')
    const file = await me.write('exported.yaml', exported.stdout)
    const same = await me.area(['diff', '-f', file])
    expect(same.code).toBe(0)

    const original = await readFile(EVERY_KEY, 'utf8')
    const changed = await me.write(
      'changed.yaml',
      original.replace('size(trigger.body.title) > 0', 'size(trigger.body.title) > 3'),
    )
    const diff = await me.area(['diff', '-f', changed])
    expect(diff.code).toBe(2)
    expect(diff.stdout).toContain('spec.reactions[0].when')

    const slower = await me.write(
      'slower.yaml',
      original.replace('events: 10, per: 1m', 'events: 5, per: 1m'),
    )
    const flowDiff = await me.area(['diff', '-f', slower])
    expect(flowDiff.code).toBe(2)
    expect(flowDiff.stdout).toContain('spec.rate_limit.events')
  })
})
