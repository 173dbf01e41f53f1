/**
 * `area audit`, `area history` and `area rollback` through the real binary against one real
 * embedded `area serve`: the audit table and --json, each user's own entries only.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliSession, cliSession, timerArea } from '../support/cli/cli-session.js'
import { type DaemonProcess, startDaemon } from '../support/daemon/process.js'

let daemon: DaemonProcess
let dataDir: string
let alice: CliSession
let bob: CliSession
const password = 'correct horse battery'

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'area-cli-ops-data-'))
  daemon = await startDaemon({
    name: 'cli-ops',
    role: 'all',
    env: { AREA_DATA_DIR: dataDir, AREA_MAX_REVISIONS_PER_AREA: '3' },
  })
  alice = await cliSession('ops-alice', daemon.url)
  bob = await cliSession('ops-bob', daemon.url)
  for (const [who, email] of [
    [alice, 'alice@example.com'],
    [bob, 'bob@example.com'],
  ] as const) {
    const signup = await who.area(['signup', '--email', email, '--password-stdin'], {
      input: `${password}\n`,
    })
    expect(signup.code, signup.stderr).toBe(0)
  }
})

afterAll(async () => {
  await daemon?.stop()
  await alice?.cleanup()
  await bob?.cleanup()
  await rm(dataDir, { recursive: true, force: true })
})

describe('area audit / history / rollback (real binary, embedded server)', { timeout: 240_000 }, () => {
  it("audit shows who, what, when and from where, as a table and as JSON, and only the caller's", async () => {
    const file = await alice.write('notes.yaml', timerArea('notes', { interval: '5m' }))
    expect((await alice.area(['apply', '-f', file])).code).toBe(0)
    const bobs = await bob.write('bob.yaml', timerArea('bobs-area'))
    expect((await bob.area(['apply', '-f', bobs])).code).toBe(0)

    const table = await alice.area(['audit'])
    expect(table.code, table.stderr).toBe(0)
    const lines = table.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^WHO\s+WHAT\s+WHEN \(UTC\)\s+FROM$/)
    // Oldest first: the signup, its token, then the AREA, applied with that token from loopback.
    expect(lines[1]).toMatch(/^-\s+user\.signup user\/\S+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+127\.0\.0\.1/)
    expect(lines.at(-1)).toMatch(/^\S+\s+area\.created area\/notes\s+\d{4}-.*127\.0\.0\.1 \(\S+\)$/)
    expect(table.stdout).not.toContain('bobs-area')

    const { code, data } = await alice.json<Array<Record<string, unknown>>>([
      'audit',
      '--action',
      'area',
      '-n',
      '5',
    ])
    expect(code).toBe(0)
    expect(data).toEqual([
      expect.objectContaining({ action: 'area.created', target: 'area/notes', address: '127.0.0.1' }),
    ])
    const bad = await alice.area(['audit', '--since', 'last tuesday'])
    expect(bad.code).toBe(3)
    expect(bad.stderr).toContain('--since')
  })

  it('history lists revisions; rollback re-applies one as a new revision, with --dry-run and --to', async () => {
    const file = await alice.write('notes.yaml', timerArea('notes', { interval: '10m' }))
    expect((await alice.area(['apply', '-f', file])).code).toBe(0)
    const history = await alice.json<Array<{ revision: number; current: boolean; changes: string[] }>>([
      'history',
      'notes',
    ])
    expect(history.data.map((r) => [r.revision, r.current])).toEqual([
      [2, true],
      [1, false],
    ])
    expect(history.data[0]?.changes).toEqual(['action'])
    const table = await alice.area(['history', 'notes'])
    expect(table.stdout).toMatch(
      /^REVISION\s+APPLIED \(UTC\)\s+BY\s+CHANGES\n2 \*\s+\d{4}-\S+ \S+\s+\S+\s+action\n1 /,
    )

    const dry = await alice.json<{ dryRun: boolean; revision: number; results: Array<{ outcome: string }> }>([
      'rollback',
      'notes',
      '--dry-run',
    ])
    expect(dry.data).toMatchObject({ dryRun: true, revision: 1, results: [{ outcome: 'updated' }] })
    expect((await alice.json<unknown[]>(['history', 'notes'])).data).toHaveLength(2)

    const rolled = await alice.area(['rollback', 'notes'])
    expect(rolled.code, rolled.stderr).toBe(0)
    expect(rolled.stdout).toContain('Revision 1 of notes')
    const exported = await alice.area(['export', 'notes'])
    expect(exported.stdout).toContain('interval: 5m')

    // Retention (AREA_MAX_REVISIONS_PER_AREA=3 here): revision 1 is dropped by the fourth.
    const again = await alice.write('notes.yaml', timerArea('notes', { interval: '15m' }))
    expect((await alice.area(['apply', '-f', again])).code).toBe(0)
    const kept = await alice.json<Array<{ revision: number }>>(['history', 'notes'])
    expect(kept.data.map((r) => r.revision)).toEqual([4, 3, 2])
    const gone = await alice.area(['rollback', 'notes', '--to', '1'])
    expect(gone.code).not.toBe(0)
    expect(gone.stderr).toContain('has no revision 1 (kept: 4, 3, 2)')

    // Bob cannot read or roll back alice's AREA: it does not exist for him.
    for (const args of [
      ['history', 'notes'],
      ['rollback', 'notes'],
    ]) {
      const refused = await bob.area(args)
      expect(refused.code).not.toBe(0)
      expect(refused.stderr).toContain('no AREA named "notes"')
    }
  })
})
