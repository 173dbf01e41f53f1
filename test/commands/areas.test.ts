/**
 * The AREA commands through the real binary against a real embedded `area serve`: diff, apply
 * (dry run, prune), create, export, get, describe, enable/disable, run, logs (and --follow),
 * delete, services. Assertions are grouped per spawned daemon: the machine is small.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliSession, cliSession, timerArea, webhookArea } from '../support/cli/cli-session.js'
import { cliBin, cliHint, repoRoot } from '../support/cli/run-cli.js'
import { type DaemonProcess, startDaemon } from '../support/daemon/process.js'

let daemon: DaemonProcess
let dataDir: string
let me: CliSession
let files: { one: string; changed: string; bad: string; mixed: string; beta: string }

interface Plan {
  changed: boolean
  dryRun: boolean
  results: { name: string; outcome: string; changes: string[]; before?: unknown; after?: unknown }[]
  pruned: string[]
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'area-cli-areas-data-'))
  daemon = await startDaemon({ name: 'cli-areas', role: 'all', env: { AREA_DATA_DIR: dataDir } })
  me = await cliSession('areas', daemon.url)
  const signup = await me.area(['signup', '--email', 'areas@example.com', '--password-stdin'], {
    input: 'password-123\n',
  })
  if (signup.code !== 0) throw new Error(`signup failed: ${signup.stderr}`)
  files = {
    one: await me.write('one.yaml', `${timerArea('alpha')}\n---\n${webhookArea('hook')}`),
    changed: await me.write(
      'changed.yaml',
      `${timerArea('alpha', { interval: '10m' })}\n---\n${webhookArea('hook')}`,
    ),
    // The second document names an unknown service: nothing of the file may be applied.
    bad: await me.write(
      'bad.yaml',
      `${timerArea('alpha', { interval: '10m' })}\n---\n${timerArea('broken').replace('service: timer', 'service: timr')}`,
    ),
    mixed: await me.write('mixed.yaml', `${timerArea('beta')}\n---\n${timerArea('alpha')}`),
    beta: await me.write('beta.yaml', timerArea('beta')),
  }
})

afterAll(async () => {
  await daemon?.stop()
  await me?.cleanup()
  await rm(dataDir, { recursive: true, force: true })
})

const interval = async (name: string) =>
  (await me.json<{ spec: { spec: { action: { params: { interval: string } } } } }>(['get', name])).data.spec
    .spec.action.params.interval

describe('area diff / apply / create / export (real binary, embedded server)', { timeout: 300_000 }, () => {
  it('diff shows what apply would create (exit 2), apply creates, then diff finds nothing (exit 0)', async () => {
    const [human, plan] = await Promise.all([
      me.area(['diff', '-f', files.one]),
      me.json<Plan>(['diff', '-f', files.one]),
    ])
    expect(human.code).toBe(2)
    expect(human.stdout).toContain('+ alpha (create)\n+ hook (create)\n')
    expect(human.stdout).toContain('Plan: 2 to create, 0 to update, 0 to delete.')
    expect(plan.code).toBe(2)
    expect(plan.data).toMatchObject({ changed: true, dryRun: true, pruned: [] })
    expect(plan.data.results.map((r) => [r.name, r.outcome])).toEqual([
      ['alpha', 'created'],
      ['hook', 'created'],
    ])

    const applied = await me.json<Plan>(['apply', '-f', files.one])
    expect(applied.code).toBe(0)
    expect(applied.data).toMatchObject({ dryRun: false, pruned: [] })
    expect(applied.data.results.map((r) => [r.name, r.outcome])).toEqual([
      ['alpha', 'created'],
      ['hook', 'created'],
    ])

    const [again, diff] = await Promise.all([
      me.area(['apply', '-f', files.one]),
      me.area(['diff', '-f', files.one]),
    ])
    expect(again.code).toBe(0)
    expect(again.stdout).toBe('Applied: 0 created, 0 updated, 0 deleted, 2 unchanged.\n')
    expect(diff.code).toBe(0)
    expect(diff.stdout).toContain('No changes')
  })

  it('diff shows the changed lines of an update; apply --dry-run reports it and changes nothing', async () => {
    const [diff, dry] = await Promise.all([
      me.area(['diff', '-f', files.changed]),
      me.json<Plan>(['apply', '-f', files.changed, '--dry-run']),
    ])
    expect(diff.code).toBe(2)
    expect(diff.stdout).toContain('~ alpha (update)\n    spec.action.params.interval\n')
    expect(diff.stdout).toMatch(/- "5m"\n +\+ "10m"\n/)
    expect(diff.stdout).not.toContain('hook')
    expect(dry.code).toBe(0)
    expect(dry.data.dryRun).toBe(true)
    expect(dry.data.results.find((r) => r.name === 'alpha')?.outcome).toBe('updated')
    expect(await interval('alpha')).toBe('5m')
  })

  it('refuses an invalid file with file:line:column (exit 3) and changes nothing', async () => {
    const [apply, diff] = await Promise.all([
      me.area(['apply', '-f', files.bad]),
      me.area(['diff', '-f', files.bad, '--json']),
    ])
    expect(apply.code).toBe(3)
    expect(apply.stderr).toMatch(/bad\.yaml:\d+:\d+: \/spec\/action\/service/)
    expect(apply.stderr).toContain('nothing was sent')
    expect(diff.code).toBe(3)
    expect(JSON.parse(diff.stderr.trim())).toMatchObject({
      error: { code: 'validation_failed', issues: [expect.any(Object)] },
    })
    expect(await interval('alpha')).toBe('5m')
  })

  it('create fails and creates nothing when a name exists; creates otherwise', async () => {
    const clash = await me.area(['create', '-f', files.mixed])
    expect(clash.code).toBe(1)
    expect(clash.stderr).toContain('"alpha" already exists')
    const missing = await me.area(['get', 'beta'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('beta')
    const created = await me.json<Plan>(['create', '-f', files.beta])
    expect(created.code).toBe(0)
    expect(created.data.results).toEqual([{ name: 'beta', outcome: 'created', changes: expect.any(Array) }])
  })

  it('export prints YAML that apply accepts unchanged: diff of the export exits 0', async () => {
    const all = await me.area(['export'])
    expect(all.code).toBe(0)
    expect(all.stdout.split(/^---$/m)).toHaveLength(3)
    const exported = await me.write('exported.yaml', all.stdout)
    const [diff, one, json] = await Promise.all([
      me.area(['diff', '-f', exported]),
      me.area(['export', 'hook']),
      me.json<unknown[]>(['export']),
    ])
    expect(diff.code).toBe(0)
    expect(diff.stdout).toContain('No changes')
    expect(one.stdout).toContain('name: hook')
    expect(one.stdout).not.toContain('name: alpha')
    expect(json.data).toHaveLength(3)
  })

  it('prune needs --yes without a terminal (exit 3, nothing deleted); with --yes it deletes the others', async () => {
    const refused = await me.area(['apply', '-f', files.one, '--prune'])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain('--yes')
    expect((await me.area(['get', 'beta'])).code).toBe(0)
    const [plan, pruned] = [
      await me.json<Plan>(['diff', '-f', files.one, '--prune']),
      await me.json<Plan>(['apply', '-f', files.one, '--prune', '--yes']),
    ]
    expect(plan.code).toBe(2)
    expect(plan.data.results).toContainEqual(expect.objectContaining({ name: 'beta', outcome: 'deleted' }))
    expect(pruned.code).toBe(0)
    expect(pruned.data.pruned).toEqual(['beta'])
    expect((await me.area(['get', 'beta'])).code).toBe(1)
  })
})

describe('area get / describe / enable / disable / run / logs / delete / services', {
  timeout: 300_000,
}, () => {
  it('get prints a table, --json and -o yaml; an unknown name exits 1', async () => {
    const [table, json, yaml, unknown] = await Promise.all([
      me.area(['get']),
      me.json<{ name: string; enabled: boolean; trigger: { type: string } }[]>(['get']),
      me.area(['get', 'hook', '-o', 'yaml']),
      me.area(['get', 'nope']),
    ])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^NAME +ENABLED +ACTION +TRIGGER +STATUS +REACTIONS +UPDATED\n/)
    expect(table.stdout).toMatch(/\nalpha +yes +timer\.every +polling +(waiting|active) +1 /)
    expect(json.data.map((a) => [a.name, a.trigger.type])).toEqual([
      ['alpha', 'polling'],
      ['hook', 'webhook'],
    ])
    // The document, as `export` prints it (not the API object).
    expect(yaml.stdout).toMatch(/^apiVersion: area\/v1\nkind: Area\nmetadata:\n {2}name: hook\n/)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('nope')
  })

  it('describe shows the webhook URL, secret and a signed curl; the next poll of a polling AREA', async () => {
    const [hook, hookJson, alpha] = await Promise.all([
      me.area(['describe', 'hook']),
      me.json<{ trigger: { type: string; webhookUrl: string; secret: string } }>(['describe', 'hook']),
      me.area(['describe', 'alpha']),
    ])
    expect(hook.code).toBe(0)
    expect(hookJson.data.trigger).toMatchObject({
      type: 'webhook',
      // The host and port come from AREA_PUBLIC_URL (unset here, and the daemon runs on --port 0).
      webhookUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/webhook\/[0-9a-f-]{36}$/),
      secret: expect.stringMatching(/^whsec_/),
    })
    expect(hook.stdout).toContain(`Webhook URL:  ${hookJson.data.trigger.webhookUrl}`)
    expect(hook.stdout).toContain(`Secret:       ${hookJson.data.trigger.secret}`)
    expect(hook.stdout).toContain('webhook-signature: v1,$SIG')
    expect(alpha.stdout).toMatch(/Next poll: +\d{4}-\d\d-\d\dT/)
    expect(alpha.stdout).toContain('Interval:     300s')
  })

  it('disable and enable report the change, then that nothing changed', async () => {
    const off = await me.json(['disable', 'alpha'])
    expect(off).toMatchObject({ code: 0, data: { name: 'alpha', enabled: false, outcome: 'updated' } })
    const again = await me.area(['disable', 'alpha'])
    expect(again.stdout).toContain('alpha was already disabled.')
    expect((await me.json<{ enabled: boolean }>(['get', 'alpha'])).data.enabled).toBe(false)
    const on = await me.json(['enable', 'alpha'])
    expect(on).toMatchObject({ code: 0, data: { name: 'alpha', enabled: true, outcome: 'updated' } })
    // --catch-up asks the server to fire the slots missed while off (API body catch_up: true).
    await me.area(['disable', 'alpha'])
    const caughtUp = await me.area(['enable', 'alpha', '--catch-up'])
    expect([caughtUp.code, caughtUp.stdout.trim()]).toEqual([0, 'alpha is now enabled.'])
  })

  it('run fires an AREA with a payload; logs lists it as JSON lines; bad payloads exit 3', async () => {
    const payload = await me.write('event.json', '{"type":"invoice.paid","data":{"id":"inv_9"}}')
    const notJson = await me.write('bad.json', '{nope')
    const [ran, bad, unknown] = await Promise.all([
      me.json<{ name: string; hookLogId: string; deliveryId: string }>(['run', 'hook', '--payload', payload]),
      me.area(['run', 'hook', '--payload', notJson]),
      me.area(['run', 'ghost']),
    ])
    expect(ran.code).toBe(0)
    expect(ran.data).toMatchObject({
      name: 'hook',
      hookLogId: expect.any(String),
      deliveryId: expect.any(String),
    })
    expect(bad.code).toBe(3)
    expect(bad.stderr).toContain('not valid JSON')
    expect(unknown.code).toBe(1)

    const logs = await me.area(['logs', 'hook', '--json', '--since', '1h'])
    expect(logs.code).toBe(0)
    const lines = logs.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; area: string })
    expect(lines.map((l) => l.id)).toContain(ran.data.hookLogId)
    expect(lines.every((l) => l.area === 'hook')).toBe(true)
    const [human, wrongStatus, wrongSince] = await Promise.all([
      me.area(['logs', 'hook']),
      me.area(['logs', '--status', 'bogus']),
      me.area(['logs', '--since', 'yesterday-ish']),
    ])
    expect(human.stdout).toMatch(/\d{4}-\d\d-\d\dT\S+ +hook +\w+/)
    expect(wrongStatus.code).toBe(3)
    expect(wrongSince.code).toBe(3)
  })

  it('logs --follow streams new events as JSON lines until Ctrl-C', async () => {
    const child = spawn(process.execPath, [cliBin(), 'logs', 'hook', '--follow', '--json', '-n', '0'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        AREA_CONFIG_DIR: me.configDir,
        AREA_API_URL: daemon.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    try {
      // The stream only shows events from when it connected: keep firing until one arrives.
      const deadline = Date.now() + 120_000
      while (!stdout.includes('\n') && Date.now() < deadline) {
        await me.area(['run', 'hook'])
        await new Promise((resolve) => setTimeout(resolve, 1_000))
      }
      const first = JSON.parse(stdout.split('\n')[0] ?? '') as { area: string; status: string }
      expect(first.area).toBe('hook')
    } finally {
      child.kill('SIGINT')
    }
    expect(await exited).toBe(0)
  })

  it('delete asks for --yes without a terminal (exit 3, nothing deleted), then deletes', async () => {
    const refused = await me.area(['delete', 'alpha'])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain('--yes')
    expect((await me.area(['get', 'alpha'])).code).toBe(0)
    const deleted = await me.json(['delete', 'alpha', '--yes'])
    expect(deleted).toMatchObject({ code: 0, data: { name: 'alpha', outcome: 'deleted' } })
    const [gone, twice] = await Promise.all([
      me.area(['get', 'alpha']),
      me.area(['delete', 'alpha', '--yes']),
    ])
    expect(gone.code).toBe(1)
    expect(twice.code).toBe(1)
  })

  it('services list and describe show the catalog with params, defaults and an example', async () => {
    const [list, listJson, http, httpJson, unknown] = await Promise.all([
      me.area(['services', 'list']),
      me.json<{ id: string }[]>(['services', 'list']),
      me.area(['services', 'describe', 'http']),
      me.json<{ id: string; reactions: { id: string; params: { name: string }[] }[] }>([
        'services',
        'describe',
        'http',
      ]),
      me.area(['services', 'describe', 'nope']),
    ])
    expect(list.stdout).toMatch(/^SERVICE +AUTH +ACTIONS +REACTIONS\n/)
    expect(listJson.data.map((s) => s.id)).toEqual(expect.arrayContaining(['http', 'timer', 'webhook']))
    expect(http.stdout).toContain('Reaction http.request')
    expect(http.stdout).toMatch(/PARAM +TYPE +REQUIRED +DEFAULT +DESCRIPTION/)
    expect(http.stdout).toMatch(/\n +url +string +yes/)
    expect(http.stdout).toContain('Example:')
    expect(httpJson.data.reactions.find((r) => r.id === 'request')?.params.map((p) => p.name)).toContain(
      'url',
    )
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('no service "nope"')
  })

  it('a bad token exits 4 on every command that talks to the API', async () => {
    const env = { AREA_TOKEN: 'area_revoked-or-made-up' }
    const results = await Promise.all([
      me.area(['get'], { env }),
      me.area(['apply', '-f', files.one], { env }),
    ])
    for (const r of results) {
      expect(r.code).toBe(4)
      expect(r.stderr).toContain(`\`${cliHint()} login\``)
    }
  })
})

describe('the config file', () => {
  it('holds the token signup saved', async () => {
    const saved = JSON.parse(await readFile(join(me.configDir, 'config.json'), 'utf8'))
    expect(saved.email).toBe('areas@example.com')
  })
})
