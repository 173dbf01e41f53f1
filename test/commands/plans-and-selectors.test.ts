/**
 * Issue 12's plans, selectors and batches through the real binary against one embedded
 * `area serve`: `diff` and `apply` print Terraform-style plans in the schema's key order,
 * label selectors (`get -l`, `apply/diff --prune -l`, the API's 400), `get -o
 * table|wide|name|json|yaml`, and several names at once (get, describe, enable, disable, delete,
 * confirmed once at a terminal).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliSession, cliSession, timerArea } from '../support/cli/cli-session.js'
import { runCliInPty } from '../support/cli/pty.js'
import { type DaemonProcess, startDaemon } from '../support/daemon/process.js'

let daemon: DaemonProcess
let dataDir: string
let me: CliSession

const labelled = (name: string, labels: string, options: { interval?: string } = {}) =>
  timerArea(name, options).replace(`  name: ${name}`, `  name: ${name}\n  labels: { ${labels} }`)
const docs = (...texts: string[]) => texts.join('\n---\n')
const base = {
  a1: labelled('a1', 'team: infra'),
  a2: labelled('a2', 'team: infra, env: prod'),
  web1: labelled('web1', 'team: web'),
  plain: timerArea('plain'),
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'area-cli-plans-data-'))
  daemon = await startDaemon({ name: 'cli-plans', role: 'all', env: { AREA_DATA_DIR: dataDir } })
  me = await cliSession('plans', daemon.url)
  const signup = await me.area(['signup', '--email', 'plans@example.com', '--password-stdin'], {
    input: 'password-123\n',
  })
  if (signup.code !== 0) throw new Error(`signup failed: ${signup.stderr}`)
  const file = await me.write('all.yaml', docs(base.a1, base.a2, base.web1, base.plain))
  const applied = await me.area(['apply', '-f', file])
  if (applied.code !== 0) throw new Error(`apply failed: ${applied.stderr}`)
}, 240_000)

afterAll(async () => {
  await daemon?.stop()
  await me?.cleanup()
  await rm(dataDir, { recursive: true, force: true })
})

interface DiffJson {
  changed: boolean
  results: { name: string; before?: Record<string, unknown> }[]
  plan: { areas: { name: string; action: string; paths: unknown[] }[]; create: number; update: number }
}

describe('plans, selectors, formats and batches (real binary)', { timeout: 600_000 }, () => {
  it('diff prints only what changed, path by path, with a Plan line; apply prints what it changed', async () => {
    const same = await me.write('same.yaml', docs(base.a1, base.a2, base.web1, base.plain))
    const changed = await me.write(
      'changed.yaml',
      docs(
        labelled('a1', 'team: infra', { interval: '10m' }),
        base.a2,
        base.web1,
        base.plain,
        timerArea('extra'),
      ),
    )
    expect((await me.area(['disable', 'a2'])).code).toBe(0)
    const [drift, human, json] = await Promise.all([
      me.area(['diff', '-f', same]),
      me.area(['diff', '-f', changed]),
      me.json<DiffJson>(['diff', '-f', changed]),
    ])
    // Disabling one AREA is one path, not a hunk where the keys moved.
    expect(drift.code).toBe(2)
    expect(drift.stdout).toBe(
      '~ a2 (update)\n    spec.enabled\n      - false\n      + true\n\nPlan: 0 to create, 1 to update, 0 to delete.\n',
    )
    expect(human.code).toBe(2)
    expect(human.stdout).toContain(
      '~ a1 (update)\n    spec.action.params.interval\n      - "5m"\n      + "10m"\n',
    )
    expect(human.stdout).toContain('+ extra (create)\n')
    expect(human.stdout).toContain('Plan: 1 to create, 2 to update, 0 to delete.')
    expect(human.stdout).not.toContain('web1')
    expect(human.stdout).not.toContain('apiVersion')
    expect(json.code).toBe(2)
    expect(json.data.changed).toBe(true)
    expect(json.data.plan).toMatchObject({ create: 1, update: 2 })
    expect(json.data.plan.areas.map((a) => [a.name, a.action])).toEqual([
      ['a1', 'update'],
      ['a2', 'update'],
      ['extra', 'create'],
    ])
    const stored = json.data.results.find((r) => r.name === 'a1')?.before ?? {}
    expect(Object.keys(stored)).toEqual(['apiVersion', 'kind', 'metadata', 'spec'])
    expect(Object.keys(stored.spec as object)).toEqual(['enabled', 'action', 'reactions'])

    const applied = await me.area(['apply', '-f', changed])
    expect(applied.code).toBe(0)
    expect(applied.stdout).toContain('~ a1 (updated)\n    spec.action.params.interval\n')
    expect(applied.stdout).toContain('+ extra (created)')
    expect(applied.stdout).toContain('Applied: 1 created, 2 updated, 0 deleted, 2 unchanged.')
    const after = await me.area(['diff', '-f', changed])
    expect(after.code).toBe(0)
    expect(after.stdout).toBe('No changes.\n')
  })

  it('label selectors: get -l, a bad selector (usage error, API 400), diff and apply --prune -l', async () => {
    const names = async (selector: string) => {
      const r = await me.area(['get', '-l', selector, '-o', 'name'])
      expect(r.code, r.stderr).toBe(0)
      return r.stdout.trim().split('\n').filter(Boolean)
    }
    const token = JSON.parse(await readFile(join(me.configDir, 'config.json'), 'utf8')).token as string
    const [infra, setAndNot, absent, none, bad, api] = await Promise.all([
      names('team=infra'),
      names('team in (infra, web),env!=prod'),
      names('!team'),
      names('team notin (infra,web),team'),
      me.area(['get', '-l', 'team in (infra']),
      fetch(`${daemon.url}/v1/areas?labelSelector=${encodeURIComponent('team in (x')}`, {
        headers: { authorization: `Bearer ${token}` },
      }),
    ])
    expect(infra).toEqual(['area/a1', 'area/a2'])
    expect(setAndNot).toEqual(['area/a1', 'area/web1'])
    expect(absent).toEqual(['area/extra', 'area/plain'])
    expect(none).toEqual([])
    expect(bad.code).toBe(3)
    expect(bad.stderr).toContain('invalid label selector "team in (infra": a "(" is not closed')
    expect(api.status).toBe(400)
    expect(await api.text()).toContain('invalid label selector')
    const applyApi = await fetch(`${daemon.url}/v1/areas/apply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ documents: [], prune: true, dryRun: true, labelSelector: 'team in (' }),
    })
    expect(applyApi.status).toBe(400)
    expect(await applyApi.text()).toContain('invalid label selector')

    const infraOnly = await me.write('infra.yaml', docs(base.a1, base.a2))
    const [plan, noPrune] = await Promise.all([
      me.area(['diff', '-f', infraOnly, '--prune', '-l', 'team=web']),
      me.area(['apply', '-f', infraOnly, '-l', 'team=web', '--yes']),
    ])
    expect(plan.code).toBe(2)
    expect(plan.stdout).toContain('- web1 (delete)')
    expect(plan.stdout).not.toMatch(/plain|extra/)
    expect(plan.stdout).toContain('Plan: 0 to create, 1 to update, 1 to delete.')
    expect(noPrune.code).toBe(3)
    expect(noPrune.stderr).toContain('--prune')
    const pruned = await me.json<{ pruned: string[] }>([
      'apply',
      '-f',
      infraOnly,
      '--prune',
      '-l',
      'team=web',
      '--yes',
    ])
    expect(pruned.code).toBe(0)
    expect(pruned.data.pruned).toEqual(['web1'])
    expect(await names('team')).toEqual(['area/a1', 'area/a2'])
    expect(await names('!team')).toEqual(['area/extra', 'area/plain'])
  })

  it('get -o table|wide|name|json|yaml; yaml and json are what export prints', async () => {
    const [table, wide, yaml, exportOne, json, exportAll, apiJson] = await Promise.all([
      me.area(['get']),
      me.area(['get', '-o', 'wide']),
      me.area(['get', 'a2', '-o', 'yaml']),
      me.area(['export', 'a2']),
      me.area(['get', '-o', 'json']),
      me.json<unknown[]>(['export']),
      me.json<{ name: string; spec: { kind: string } }[]>(['get']),
    ])
    expect(table.stdout).toMatch(/^NAME +ENABLED +ACTION +TRIGGER +STATUS +REACTIONS +UPDATED\n/)
    expect(wide.stdout).toMatch(
      /^NAME +ENABLED +ACTION +TRIGGER +STATUS +REACTIONS +LABELS +OWNER +LAST RUN +UPDATED\n/,
    )
    expect(wide.stdout).toMatch(
      /\na2 +yes +timer\.every +polling +waiting +1 +(team=infra,env=prod|env=prod,team=infra) +/,
    )
    expect(wide.stdout).toMatch(/\nplain +yes .* +- +(-|\d{4}-)/)
    expect(yaml.code).toBe(0)
    expect(yaml.stdout).toBe(exportOne.stdout)
    expect(yaml.stdout).toMatch(/^apiVersion: area\/v1\nkind: Area\nmetadata:\n {2}name: a2\n/)
    expect(yaml.stdout).not.toMatch(/spec:\n\s+spec:/)
    expect(JSON.parse(json.stdout)).toEqual(exportAll.data)
    // --json stays the API objects, for scripts.
    expect(apiJson.data.map((a) => a.name)).toEqual(['a1', 'a2', 'extra', 'plain'])
    expect(apiJson.data[0]?.spec.kind).toBe('Area')
  })

  it("owners: two pipelines sharing the account neither change nor prune each other's AREAs", async () => {
    const infra = await me.write('owner-infra.yaml', docs(timerArea('own-i1'), timerArea('own-i2')))
    const web = await me.write('owner-web.yaml', docs(timerArea('own-w1')))
    const asInfra = (file: string, ...more: string[]) =>
      me.area(['apply', '-f', file, '--owner', 'infra-ci', ...more])
    expect((await asInfra(infra)).code).toBe(0)
    // AREA_OWNER is the flag's variable, for a CI job.
    const webApplied = await me.area(['apply', '-f', web], { env: { AREA_OWNER: 'web-ci' } })
    expect(webApplied.code, webApplied.stderr).toBe(0)

    // The web pipeline prunes: the infra AREAs and the AREAs without an owner are not its own.
    const webPrune = await me.json<{ pruned: string[] }>(['apply', '-f', web, '--prune', '--yes'], {
      env: { AREA_OWNER: 'web-ci' },
    })
    expect(webPrune.code).toBe(0)
    expect(webPrune.data.pruned).toEqual([])
    // Without an owner, --prune leaves every owned AREA alone (the others are in the plan).
    const ownerless = await me.area(['diff', '-f', await me.write('owner-none.yaml', base.plain), '--prune'])
    expect(ownerless.stdout).not.toMatch(/own-i\d \(delete\)/)
    expect(ownerless.stdout).toContain('- a1 (delete)')

    // Another owner's AREA is refused at its document, file:line, and nothing changes.
    const clash = await me.write(
      'owner-clash.yaml',
      docs(timerArea('own-w9'), timerArea('own-i1', { interval: '7m' })),
    )
    const refused = await me.area(['apply', '-f', clash, '--owner', 'web-ci'])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain('owner-clash.yaml:')
    expect(refused.stderr).toContain(
      '"own-i1" is owned by "infra-ci" and this apply\'s owner is "web-ci": apply it with --owner infra-ci, or add --take-ownership',
    )
    const noOwner = await me.area(['apply', '-f', clash])
    expect(noOwner.code).toBe(3)
    expect(noOwner.stderr).toContain('this apply declares no owner')
    expect((await me.area(['get', 'own-w9'])).code).toBe(1)
    // PUT /v1/areas/:name declares no owner either.
    const token = JSON.parse(await readFile(join(me.configDir, 'config.json'), 'utf8')).token as string
    const exported = await me.json<unknown[]>(['export', 'own-i1'])
    const put = await fetch(`${daemon.url}/v1/areas/own-i1`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(exported.data[0]),
    })
    expect(put.status).toBe(400)
    expect(await put.text()).toContain('is owned by \\"infra-ci\\" and this apply declares no owner')

    // The infra pipeline prunes its own only; the plan shows an ownership move as a path.
    const infraShrunk = await me.write('owner-infra-1.yaml', docs(timerArea('own-i1')))
    const infraPrune = await me.json<{ pruned: string[] }>([
      'apply',
      '-f',
      infraShrunk,
      '--prune',
      '--yes',
      '--owner',
      'infra-ci',
    ])
    expect(infraPrune.data.pruned).toEqual(['own-i2'])
    const move = await me.area(['diff', '-f', infraShrunk, '--owner', 'web-ci', '--take-ownership'])
    expect(move.code).toBe(2)
    expect(move.stdout).toContain('~ own-i1 (update)\n    owner\n      - "infra-ci"\n      + "web-ci"\n')
    expect((await me.area(['apply', '-f', infraShrunk, '--owner', 'web-ci', '--take-ownership'])).code).toBe(
      0,
    )
    const [described, wide, badName] = await Promise.all([
      me.area(['describe', 'own-i1']),
      me.area(['get', 'own-i1', 'own-w1', '-o', 'wide']),
      me.area(['apply', '-f', web, '--owner', 'Web CI']),
    ])
    expect(described.stdout).toMatch(/^Owner: +web-ci$/m)
    expect(wide.stdout).toMatch(/\nown-i1 .* web-ci /)
    expect(badName.code).toBe(3)
    expect(badName.stderr).toContain('--owner: "Web CI" is not an owner name')

    const cleaned = await me.area(['delete', 'own-i1', 'own-w1', '--yes'])
    expect(cleaned.code, cleaned.stderr).toBe(0)
  })

  it('several names: get, describe, disable, enable, delete; a missing one is reported, exit 1', async () => {
    const [get, getJson, described, missing, off] = await Promise.all([
      me.area(['get', 'a1', 'nope', 'a2', '-o', 'name']),
      me.json<{ name: string }[]>(['get', 'a1', 'a2']),
      me.area(['describe', 'a1', 'a2']),
      me.area(['describe', 'ghost', 'a1']),
      me.area(['disable', 'a1', 'nope', 'a2']),
    ])
    expect(get.code).toBe(1)
    expect(get.stdout).toBe('area/a1\narea/a2\n')
    expect(get.stderr).toContain('nope')
    expect(getJson.data.map((a) => a.name)).toEqual(['a1', 'a2'])
    expect(described.code).toBe(0)
    expect(described.stdout.match(/^Name: +a\d$/gm)?.map((l) => l.slice(-2))).toEqual(['a1', 'a2'])
    expect(missing.code).toBe(1)
    expect(missing.stdout).toContain('a1')
    expect(missing.stderr).toContain('ghost')
    expect(off.code).toBe(1)
    expect(off.stdout).toBe('a1 is now disabled.\na2 is now disabled.\n')
    expect(off.stderr).toContain('nope')
    const on = await me.json<{ name: string; enabled: boolean }[]>(['enable', 'a1', 'a2'])
    expect(on.code).toBe(0)
    expect(on.data).toEqual([
      { name: 'a1', enabled: true, outcome: 'updated' },
      { name: 'a2', enabled: true, outcome: 'updated' },
    ])

    const refused = await me.area(['delete', 'a1', 'plain'])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain('--yes')
    const deleted = await me.area(['delete', 'a1', 'nope', '--yes'])
    expect(deleted.code).toBe(1)
    expect(deleted.stdout).toBe('- deleted a1\n')
    expect(deleted.stderr).toContain('nope')
    // At a terminal: one question for all the names.
    const tty = await runCliInPty(['delete', 'a2', 'plain'], {
      env: { AREA_CONFIG_DIR: me.configDir, AREA_API_URL: daemon.url, NO_COLOR: '1' },
      steps: [{ expect: /Delete 2 AREAs \(a2, plain\) and their history\?/, send: 'y\r' }],
      timeoutMs: 120_000,
    })
    expect(tty.code, tty.output).toBe(0)
    expect(tty.output).not.toContain('Delete the AREA')
    expect(tty.output).toContain('- deleted a2')
    expect(tty.output).toContain('- deleted plain')
    expect((await me.area(['get', '-o', 'name'])).stdout).toBe('area/extra\n')
  })

  it('status shows the account at a glance; --json is GET /v1/status', async () => {
    expect((await me.area(['disable', 'extra'])).code).toBe(0)
    expect((await me.area(['run', 'extra'])).code).toBe(0)
    const [human, json] = await Promise.all([
      me.area(['status']),
      me.json<{
        areas: Record<string, number>
        events24h: Record<string, number>
        connections: number
        queue: { kind: string; status: string; jobs: Record<string, number> }
      }>(['status']),
    ])
    expect(json.code).toBe(0)
    expect(json.data.areas).toEqual({ total: 1, enabled: 0, disabled: 1, failing: expect.any(Number) })
    expect(Object.keys(json.data.events24h).sort()).toEqual([
      'done',
      'failed',
      'processing',
      'queued',
      'received',
      'skipped',
    ])
    expect(Object.values(json.data.events24h).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1)
    expect(json.data.connections).toBe(0)
    expect(json.data.queue).toMatchObject({
      kind: 'memory',
      status: 'ok',
      jobs: { waiting: expect.any(Number) },
    })
    expect(human.code).toBe(0)
    expect(human.stdout).toContain('AREAs:        1 (0 enabled, 1 disabled)\n')
    expect(human.stdout).toMatch(/\nFailing: +\d+ \(latest event failed or trigger failing to poll\)\n/)
    expect(human.stdout).toMatch(/\nEvents 24h: +\d+ \w+/)
    expect(human.stdout).toContain('Connections:  0\n')
    expect(human.stdout).toMatch(
      /\nQueue: +ok \(memory\): \d+ waiting, \d+ running, \d+ delayed, \d+ failed\n/,
    )
  })
})
