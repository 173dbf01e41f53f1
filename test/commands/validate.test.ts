// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the AREA file's own syntax, written literally here
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliHint, runCli } from '../support/cli/run-cli.js'

let dir: string

const area = (name: string, service = 'timer') =>
  [
    'apiVersion: area/v1',
    'kind: Area',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  action:',
    `    service: ${service}`,
    '    action: every',
    '    params: { interval: 5m }',
    '  reactions:',
    '    - id: ping',
    '      service: http',
    '      reaction: request',
    '      params:',
    '        url: ${TARGET_URL}',
    '',
  ].join('\n')

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'area-cli-validate-'))
  await writeFile(join(dir, 'bad.yaml'), `${area('one', 'timr')}---\n${area('two')}`)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const noEscapeCodes = (text: string) => expect(text.includes('\u001b[')).toBe(false)

describe('area validate (the real binary)', () => {
  it('lists its commands in the root help', async () => {
    const { code, stdout } = await runCli(['--help'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/COMMANDS[\s\S]*\n {2}schema +Print the JSON Schema/)
    expect(stdout).toMatch(/\n {2}validate +Check AREA files offline/)
  })

  it('has examples in its own help', async () => {
    const { code, stdout } = await runCli(['validate', '--help'])
    expect(code).toBe(0)
    expect(stdout).toContain('EXAMPLES')
    expect(stdout).toContain('$ area validate -f areas.example.yaml')
  })

  it('exits 0 on areas.example.yaml with no variable set, with a table for people', async () => {
    const { code, stdout, stderr } = await runCli(['validate', '-f', 'areas.example.yaml'])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toMatch(/^NAME +ACTION +TRIGGER +REACTIONS +WHERE\n/)
    expect(stdout).toMatch(
      /\nheartbeat +timer\.every +every 1m +ping: http\.request +areas\.example\.yaml:\d+\n/,
    )
    expect(stdout).toMatch(
      /\nwebhook-relay +webhook\.received +webhook +forward: http\.request, confirm: http\.request/,
    )
    expect(stdout).toMatch(/✓ \d+ AREAs valid in 1 file\.\n$/)
    // Not a terminal: no colours.
    noEscapeCodes(stdout)
  })

  it('prints { valid, areas, issues } with --json', async () => {
    const { code, stdout, stderr } = await runCli(['validate', '-f', 'areas.example.yaml', '--json'])
    expect(code).toBe(0)
    expect(stderr).toBe('')
    const output = JSON.parse(stdout)
    expect(Object.keys(output)).toEqual(['valid', 'areas', 'issues', 'warnings'])
    expect(output.valid).toBe(true)
    expect(output.issues).toEqual([])
    expect(output.warnings).toEqual([])
    expect(output.areas[0]).toEqual({
      name: 'heartbeat',
      file: 'areas.example.yaml',
      document: 1,
      line: expect.any(Number),
      enabled: true,
      action: 'timer.every',
      trigger: 'every 1m',
      reactions: [{ id: 'ping', service: 'http', reaction: 'request', phase: 'main' }],
      specHash: expect.stringMatching(/^[0-9a-f]{16,}$/),
    })
  })

  it('exits 3 on an invalid file, printing file:line:col: path: message on stderr', async () => {
    const file = join(dir, 'bad.yaml')
    const { code, stdout, stderr } = await runCli(['validate', '-f', file], { env: { NO_COLOR: '1' } })
    expect(code).toBe(3)
    expect(stdout).toBe('')
    expect(stderr.split('\n')).toEqual([
      `${file}:7:14: /spec/action/service: unknown service "timr"; did you mean "timer"? (services: timer, http, webhook, rss, github, discord, slack, email)`,
      `${file}:15:14: /spec/reactions/0/params/url: environment variable TARGET_URL is not set: set it, or give a default with \${TARGET_URL:-value}`,
      `${file}:31:14: /spec/reactions/0/params/url: environment variable TARGET_URL is not set: set it, or give a default with \${TARGET_URL:-value}`,
      '',
      '✗ 3 problems in 1 of 1 file.',
      '',
    ])
  })

  it('with --json, exits 3 and lists the issues with their document, line and column', async () => {
    const file = join(dir, 'bad.yaml')
    const { code, stdout, stderr } = await runCli(['validate', '-f', file, '--json'], {
      env: { TARGET_URL: 'https://example.com/hook' },
    })
    expect(code).toBe(3)
    expect(stderr).toBe('')
    const output = JSON.parse(stdout)
    expect(output).toEqual({
      valid: false,
      areas: [expect.objectContaining({ name: 'two', document: 2, line: 17 })],
      issues: [
        {
          file,
          document: 1,
          line: 7,
          column: 14,
          path: '/spec/action/service',
          message:
            'unknown service "timr"; did you mean "timer"? (services: timer, http, webhook, rss, github, discord, slack, email)',
        },
      ],
      warnings: [],
    })
  })

  it('reads - from stdin and names it <stdin>', async () => {
    const valid = await runCli(['validate', '-f', '-'], {
      input: area('from-stdin'),
      env: { TARGET_URL: 'https://example.com/hook' },
    })
    expect(valid.code).toBe(0)
    expect(valid.stdout).toMatch(/\nfrom-stdin +timer\.every +every 5m +ping: http\.request +<stdin>:1\n/)
    const invalid = await runCli(['validate', '-f', '-', '--json'], { input: 'a: [1\n' })
    expect(invalid.code).toBe(3)
    expect(JSON.parse(invalid.stdout).issues[0]).toMatchObject({ file: '<stdin>', document: 1, line: 2 })
  })

  it('accepts -f repeated, and reports names used twice across the files', async () => {
    const one = join(dir, 'one.yaml')
    const two = join(dir, 'two.yaml')
    await writeFile(one, area('same'))
    await writeFile(two, area('same'))
    const { code, stderr } = await runCli(['validate', '-f', one, '-f', two], {
      env: { TARGET_URL: 'https://example.com/hook' },
    })
    expect(code).toBe(3)
    expect(stderr).toContain(
      `${two}:4:9: /metadata/name: the name "same" is already used at ${one}:4:9 (document 1)`,
    )
  })

  it('exits 3 on bad flags, with the --json error shape on stderr', async () => {
    const unknown = await runCli(['validate', '-f', 'areas.example.yaml', '--colour', '--json'])
    expect(unknown.code).toBe(3)
    expect(unknown.stdout).toBe('')
    expect(JSON.parse(unknown.stderr)).toEqual({
      error: { code: 'invalid_arguments', message: expect.stringContaining('Nonexistent flag: --colour') },
    })
    const missing = await runCli(['validate'])
    expect(missing.code).toBe(3)
    expect(missing.stderr).toMatch(/^Error: name the AREA files to check: /)
    expect(missing.stderr).toContain(`\`${cliHint()} validate FILE…\``)
    noEscapeCodes(missing.stderr)
  })

  it('type-checks templates: a warning alone exits 0 and is printed, an error exits 3 (both in --json)', async () => {
    const warned = join(dir, 'warned.yaml')
    await writeFile(
      warned,
      [
        'apiVersion: area/v1',
        'kind: Area',
        'metadata: { name: issues }',
        'spec:',
        '  action: { service: github, action: issue_opened, trigger: webhook }',
        '  reactions:',
        '    - id: post',
        '      service: http',
        '      reaction: request',
        '      params: { url: "https://e.com/{{ trigger.isue.title }}" }',
        '',
      ].join('\n'),
    )
    const ok = await runCli(['validate', '-f', warned], { env: { NO_COLOR: '1' } })
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain('1 AREA valid in 1 file')
    expect(ok.stderr).toBe(
      `${warned}:10:40: warning: /spec/reactions/0/params/url: template: trigger declares no field "isue"; did you mean "issue"? (it may carry fields it does not declare, so this is allowed)\n`,
    )
    const json = await runCli(['validate', '-f', warned, '--json'])
    expect(json.code).toBe(0)
    expect(json.stderr).toBe('')
    expect(JSON.parse(json.stdout).warnings).toEqual([
      expect.objectContaining({ line: 10, column: 40, path: '/spec/reactions/0/params/url' }),
    ])

    const fixture = 'test/fixtures/typed-templates/mistakes.yaml'
    const failed = await runCli(['validate', '-f', fixture], { env: { NO_COLOR: '1' } })
    expect(failed.code).toBe(3)
    expect(failed.stderr).toContain(
      `${fixture}:30:38: /spec/reactions/1/params/url: template: reactions.post has no field "stauts"; did you mean "status"?`,
    )
    expect(failed.stderr).toContain(
      `${fixture}:13:45: warning: /spec/action/when: when: l declares no field "nme"; did you mean "name"?`,
    )
    const report = JSON.parse((await runCli(['validate', '-f', fixture, '--json'])).stdout)
    expect([report.valid, report.issues.length, report.warnings.length]).toEqual([false, 8, 4])
  })

  it('exits 3 when a file cannot be read', async () => {
    const missing = join(dir, 'missing.yaml')
    const { code, stderr } = await runCli(['validate', '-f', missing])
    expect(code).toBe(3)
    expect(stderr).toContain(`${missing}: no such file or directory`)
  })
})
