/**
 * `area test` (issue 14) through the real binary, with no server, no token and no AREA_API_URL:
 * every AREA of areas.example.yaml on its declared example; the fixture test files, passing
 * (test/fixtures/area-test/pass) and failing (…/fail) with file:line of each failed expectation,
 * --json and --junit; invalid input (exit 3, file:line:column). Then the round trip from real
 * history against one embedded daemon: `area logs <event-id> --event > fixture.json`, then
 * `area test --event fixture.json`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SuiteResult } from '../../src/testing/suite.js'
import { type ApiUser, signup } from '../support/api/client.js'
import { type CliSession, cliSession } from '../support/cli/cli-session.js'
import { runCli } from '../support/cli/run-cli.js'
import { type DaemonProcess, startDaemon } from '../support/daemon/process.js'

const fixtures = 'test/fixtures/area-test'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'area-test-cmd-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const json = (stdout: string) => JSON.parse(stdout) as SuiteResult
const caseNamed = (result: SuiteResult, name: string) => {
  const found = result.cases.find((c) => c.name === name)
  if (!found) throw new Error(`no case "${name}" in ${result.cases.map((c) => c.name).join(', ')}`)
  return found
}
const reaction = (result: SuiteResult['cases'][number], id: string) =>
  result.run.reactions.find((r) => r.id === id)

describe('area test, offline', () => {
  it('runs every AREA of areas.example.yaml on its example event, with no server or login', async () => {
    const [tested, validated, text] = await Promise.all([
      runCli(['test', '-f', 'areas.example.yaml', '--json']),
      runCli(['validate', '-f', 'areas.example.yaml', '--json']),
      runCli(['test', '-f', 'areas.example.yaml']),
    ])
    expect(tested.code, tested.stderr).toBe(0)
    const result = json(tested.stdout)
    const names = (JSON.parse(validated.stdout) as { areas: { name: string }[] }).areas.map((a) => a.name)
    expect(result.cases.map((c) => c.area)).toEqual(names)
    expect(result.cases.every((c) => c.passed && c.event === 'example')).toBe(true)
    // The example of webhook.received, rendered into the params; the filter and `when` decide.
    const invoices = caseNamed(
      { ...result, cases: result.cases.filter((c) => c.area === 'paid-invoices') },
      'example event',
    )
    expect(reaction(invoices, 'record')).toMatchObject({
      status: 'succeeded',
      params: { url: expect.stringContaining('invoice=in_42&amount=1200') },
      outputFrom: 'example',
    })
    const fanout = result.cases.find((c) => c.area === 'order-fanout')
    expect(fanout?.run).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('when: has(trigger.type)'),
    })
    expect(fanout?.run.reactions.map((r) => r.status)).toEqual(['not_run', 'not_run', 'not_run', 'not_run'])
    // A reaction reads the one before it: confirm ran after forward, in order.
    const relay = result.cases.find((c) => c.area === 'webhook-relay')
    expect(relay?.run.reactions.map((r) => `${r.id}=${r.status}`)).toEqual([
      'forward=succeeded',
      'confirm=succeeded',
    ])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('forward http.request: would run')
    expect(text.stdout).toContain(`✓ ${names.length} runs passed.`)
  })

  it('runs the test files: mocks, needs, for_each, continue_on_error, on_failure, secrets redacted', async () => {
    const junit = join(dir, 'pass.xml')
    const [run, text] = await Promise.all([
      runCli(['test', '-f', `${fixtures}/pass`, '--json', '--junit', junit]),
      runCli(['test', '-f', `${fixtures}/pass`]),
    ])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const result = json(run.stdout)
    expect(result.passed).toBe(true)
    expect(result.cases.map((c) => c.name)).toEqual([
      'a paid order with two lines to send',
      'another event type is filtered out',
      'a failing accounts call does not stop the order',
      'a failing warehouse call stops the order and calls the alert',
      'an order without lines skips them',
    ])
    const paid = caseNamed(result, 'a paid order with two lines to send')
    // The filter of the for_each list ran: two items of three, each with its own params.
    expect(reaction(paid, 'lines')?.items?.map((i) => i.params)).toEqual([
      expect.objectContaining({ body: { sku: 'A', ticket: 'T-9' } }),
      expect.objectContaining({ body: { sku: 'C', ticket: 'T-9' } }),
    ])
    expect(reaction(paid, 'warehouse')).toMatchObject({ outputFrom: 'mock', output: { status: 201 } })
    expect(reaction(paid, 'notify')?.params).toEqual({
      webhook_url: expect.stringMatching(/^<secret:[0-9a-f]{12}>$/),
      content: 'Order o-1 sent',
    })
    const failing = caseNamed(result, 'a failing warehouse call stops the order and calls the alert')
    expect(failing.event).toBe(`${fixtures}/pass/paid-order.json`)
    expect(failing.run).toMatchObject({ status: 'failed', error: expect.stringContaining('HTTP 500') })
    expect(reaction(failing, 'alert')).toMatchObject({ phase: 'on_failure', status: 'succeeded' })
    // The secret's plaintext is never printed.
    for (const output of [run.stdout, text.stdout, await readFile(junit, 'utf8')])
      expect(output).not.toContain('not-a-real-token')
    expect(text.stdout).toContain('notify discord.send_message: would run')
    expect(text.stdout).toContain('lines http.request: not run (it needs "warehouse", which failed)')
    expect(text.stdout).toContain('lines http.request: skipped (when: has(trigger.data.lines) was false)')
    expect(await readFile(junit, 'utf8')).toContain(
      '<testsuite name="test/fixtures/area-test/pass/orders.test.yaml" tests="5" failures="0"',
    )
  })

  it('fails expectations that do not hold, at their file:line:column, expected against got (exit 1)', async () => {
    const junit = join(dir, 'fail.xml')
    const [text, run] = await Promise.all([
      runCli(['test', '-f', `${fixtures}/fail`, '--junit', junit]),
      runCli(['test', '-f', `${fixtures}/fail`, '--json']),
    ])
    expect(text.code).toBe(1)
    expect(run.code).toBe(1)
    const file = `${fixtures}/fail/orders-wrong.test.yaml`
    expect(text.stdout).toContain(
      [
        `  ${file}:10:26: /tests/0/expect/reactions/warehouse/params/url: "warehouse": params.url is not as expected`,
        '      expected: "http://127.0.0.1:9/orders/o-2"',
        '      got:      "http://127.0.0.1:9/orders/o-1"',
        `  ${file}:11:25: /tests/0/expect/reactions/lines/items: "lines" ran 1 for_each items`,
        '      expected: 3',
        '      got:      1',
      ].join('\n'),
    )
    expect(text.stdout).toContain(`${file}:15:15: /tests/1/expect/status: the run ended skipped`)
    expect(text.stdout).toContain('✗ 2 of 3 runs failed.')
    const result = json(run.stdout)
    expect(result.cases.map((c) => c.passed)).toEqual([false, false, true])
    expect(result.cases[1]?.failures).toEqual([
      expect.objectContaining({ file, line: 15, column: 15, expected: 'done', got: 'skipped' }),
    ])
    const xml = await readFile(junit, 'utf8')
    expect(xml).toContain('<testsuites name="area test" tests="3" failures="2" errors="0">')
    expect(xml).toContain(
      '<failure message="2 expectations failed (test/fixtures/area-test/fail/orders-wrong.test.yaml:5)"',
    )
    expect(xml).toContain(
      '  expected: "http://127.0.0.1:9/orders/o-2"\n  got:      "http://127.0.0.1:9/orders/o-1"',
    )
    expect(xml).toContain(
      '<testcase classname="orders" name="passes" file="test/fixtures/area-test/fail/orders-wrong.test.yaml"/>',
    )
  })

  it('refuses invalid input with every problem at its file:line:column (exit 3), running nothing', async () => {
    const areas = join(dir, 'areas.yaml')
    await writeFile(areas, await readFile(`${fixtures}/pass/orders.yaml`, 'utf8'))
    await writeFile(join(dir, 'list.json'), '[1, 2]')
    await writeFile(join(dir, 'broken.json'), '{"type": ')
    await writeFile(
      join(dir, 'bad.test.yaml'),
      [
        'area: orders',
        'tests:',
        '  - name: typos',
        '    event: { type: order.paid }',
        '    mocks:',
        '      warehous: { output: {} }',
        '    expect:',
        '      reactions:',
        '        lines: { status: ran }',
        '  - name: a broken event file',
        '    event_file: broken.json',
        '',
      ].join('\n'),
    )
    await writeFile(join(dir, 'other.test.yaml'), 'area: ordres\ntests:\n  - { name: x, example: true }\n')
    const bad = await runCli(['test', '-f', dir])
    expect(bad.code).toBe(3)
    expect(bad.stdout).toBe('')
    const test = join(dir, 'bad.test.yaml')
    for (const line of [
      `${test}:9:26: /tests/0/expect/reactions/lines/status: must be one of: succeeded, failed, skipped, not_run`,
      `${join(dir, 'other.test.yaml')}:1:7: /area: no AREA "ordres" in the AREA files read; did you mean "orders"?`,
    ])
      expect(bad.stderr).toContain(line)
    // Once the shape is right, the names and the event file are checked against the AREA.
    await writeFile(join(dir, 'other.test.yaml'), 'area: orders\ntests:\n  - { name: x, example: true }\n')
    await writeFile(
      test,
      [
        'area: orders',
        'tests:',
        '  - name: typos',
        '    event: { type: order.paid }',
        '    mocks:',
        '      warehous: { output: {} }',
        '      accounts: { output: { status: "201", headers: {}, body: null, truncated: false } }',
        '  - name: a broken event file',
        '    event_file: broken.json',
        '  - name: two events',
        '    example: true',
        '    event: {}',
        '',
      ].join('\n'),
    )
    const [names, list] = await Promise.all([
      runCli(['test', '-f', dir]),
      runCli(['test', '-f', areas, '--event', join(dir, 'list.json'), '--json']),
    ])
    expect(names.code).toBe(3)
    expect(names.stderr).toContain(
      `${test}:6:7: /tests/0/mocks/warehous: no reaction "warehous" in AREA "orders"; did you mean "warehouse"?`,
    )
    expect(names.stderr).toContain(`${test}:9:17: /tests/1/event_file: ${join(dir, 'broken.json')}: not JSON`)
    expect(names.stderr).toContain(`${test}:10:5: /tests/2: give the event one way`)
    // A mock answers what its reaction can return: a status is a number.
    expect(names.stderr).toContain(
      `${test}:7:37: /tests/0/mocks/accounts/output/status: must be a whole number (what http.request returns:`,
    )
    expect(list.code).toBe(3)
    expect(JSON.parse(list.stderr)).toMatchObject({
      error: {
        code: 'validation_failed',
        issues: [
          {
            path: join(dir, 'list.json'),
            message: expect.stringContaining('--event: the event must be a JSON object'),
          },
        ],
      },
    })
  })
})

describe('a real event as a fixture: area logs <event-id> --event, then area test --event', () => {
  let daemon: DaemonProcess
  let dataDir: string
  let session: CliSession
  let owner: ApiUser

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'area-test-cmd-data-'))
    daemon = await startDaemon({
      name: 'cli-area-test',
      role: 'all',
      env: { AREA_DATA_DIR: dataDir },
      startTimeoutMs: 180_000,
    })
    session = await cliSession('area-test', daemon.url)
    owner = await signup(daemon.url, 'area-test@example.com')
  }, 240_000)

  afterAll(async () => {
    await daemon?.stop()
    await session?.cleanup()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('writes the payload alone as JSON, which area test runs the AREA on', async () => {
    const env = { AREA_TOKEN: owner.token }
    // Its reactions call a closed loopback port: the daemon's run fails, which is not the point here.
    const areas = await session.write(
      'areas.yaml',
      [
        'apiVersion: area/v1',
        'kind: Area',
        'metadata:',
        '  name: orders',
        'spec:',
        '  action:',
        '    service: webhook',
        '    action: received',
        '    params: { filter: { path: type, equals: order.paid } }',
        '  reactions:',
        '    - id: warehouse',
        '      service: http',
        '      reaction: request',
        '      params: { url: "http://127.0.0.1:9/orders/{{ trigger.data.id }}" }',
        '    - id: lines',
        '      service: http',
        '      reaction: request',
        '      for_each: trigger.data.lines',
        '      params: { url: http://127.0.0.1:9/lines, method: POST, body: { sku: "{{ item.sku }}" } }',
        '',
      ].join('\n'),
    )
    const applied = await session.area(['apply', '-f', areas], { env })
    expect(applied.code, applied.stderr).toBe(0)
    const payload = {
      type: 'order.paid',
      data: { id: 'o-real', amount: 9, lines: [{ sku: 'Z\u001b[31m', qty: 1 }] },
    }
    const fired = await session.json<{ hookLogId: string }>(['run', 'orders', '--payload', '-'], {
      input: JSON.stringify(payload),
      env,
    })
    expect(fired.code, fired.stderr).toBe(0)
    const [shown, asJson, noId] = await Promise.all([
      session.area(['logs', fired.data.hookLogId, '--event'], { env }),
      session.area(['logs', fired.data.hookLogId, '--event', '--json'], { env }),
      session.area(['logs', 'orders', '--event'], { env }),
    ])
    expect(shown.code, shown.stderr).toBe(0)
    expect(JSON.parse(shown.stdout)).toEqual(payload)
    expect(asJson.stdout).toBe(shown.stdout)
    expect(noId.code).toBe(3)
    expect(noId.stderr).toContain('--event prints one event')
    const fixture = await session.write('event.json', shown.stdout)
    const tested = await runCli(['test', '-f', areas, '--event', fixture, '--json'])
    expect(tested.code, tested.stderr).toBe(0)
    const [run] = json(tested.stdout).cases
    expect(run).toMatchObject({ event: fixture, passed: true })
    expect(run && reaction(run, 'warehouse')?.params).toMatchObject({
      url: 'http://127.0.0.1:9/orders/o-real',
    })
    expect(run && reaction(run, 'lines')?.items?.[0]?.params).toMatchObject({ body: { sku: 'Z\u001b[31m' } })
  }, 120_000)
})
