/**
 * Service plugins through the real binary: the offline commands (validate, schema, services
 * describe) see a plugin AREA_PLUGINS names as a built-in; a bad plugin (throws at import, invalid
 * declaration, a built-in's id, a missing path) stops `area validate` and `area serve` with a
 * message naming it and what to do; `area services init` writes a plugin that passes its own test
 * and loads. The server's side is test/e2e/plugins.int.test.ts.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliBin, runCli } from '../support/cli/run-cli.js'

const run = promisify(execFile)
const forge = './test/fixtures/plugins/forge'
const areaFile = (service: string, action: string, reaction: string) => `apiVersion: area/v1
kind: Area
metadata: { name: plugin-area }
spec:
  action: { service: ${service}, action: ${action}, params: { branch: main } }
  reactions:
    - id: tell
      service: ${service}
      reaction: ${reaction}
      params: { url: "https://forge.example/api/rooms/dev", text: "pushed {{ trigger.message }}" }
`

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'area-plugins-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('a plugin in the offline commands', () => {
  it('validates, describes and puts in the schema a plugin service, from the same AREA_PLUGINS', async () => {
    const env = { AREA_PLUGINS: forge }
    const [valid, typo, without, described, schema] = await Promise.all([
      runCli(['validate', '-f', '-'], { env, input: areaFile('forge', 'push', 'post') }),
      runCli(['validate', '-f', '-'], {
        env,
        input: areaFile('forge', 'push', 'post').replace('{{ trigger.message }}', '{{ trigger.mesage }}'),
      }),
      runCli(['validate', '-f', '-'], { input: areaFile('forge', 'push', 'post') }),
      runCli(['services', 'describe', 'forge'], { env }),
      runCli(['schema'], { env }),
    ])
    expect(valid.stderr + valid.stdout).toContain('1 AREA valid')
    expect(valid.code).toBe(0)
    // Templates are typed from the plugin's declared event, as for a built-in.
    expect(typo.stdout + typo.stderr).toContain('declares no field "mesage"; did you mean "message"')
    expect(without.code).toBe(3)
    expect(without.stdout + without.stderr).toContain('unknown service "forge"')
    expect(described.code).toBe(0)
    expect(described.stdout).toContain('Action forge.push')
    expect(described.stdout).toContain('Reaction forge.post')
    const services = JSON.parse(schema.stdout).properties.spec.properties.action.properties.service
    expect(JSON.stringify(services)).toContain('"forge"')
  })

  it('runs a plugin AREA in `area test`: its trigger() decides, its example event and output stand in', async () => {
    const file = join(dir, 'forge.yaml')
    const other = areaFile('forge', 'push', 'post')
      .replace('plugin-area', 'dev-only')
      .replace('branch: main', 'branch: dev')
    await writeFile(file, `${areaFile('forge', 'push', 'post')}---\n${other}`)
    const tested = await runCli(['test', '-f', file, '--json'], { env: { AREA_PLUGINS: forge } })
    expect(tested.code, tested.stderr).toBe(0)
    const { cases } = JSON.parse(tested.stdout) as {
      cases: { area: string; run: { status: string; reason?: string; reactions: { params: unknown }[] } }[]
    }
    const byArea = Object.fromEntries(cases.map((c) => [c.area, c.run]))
    expect(byArea['plugin-area']?.reactions[0]?.params).toMatchObject({ text: 'pushed Fix the build' })
    expect(byArea['dev-only']).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('a push to main, not dev'),
    })
  })
})

describe('a bad plugin stops validate and serve, naming it', () => {
  const cases = [
    [
      'throws at import',
      './test/fixtures/plugins/throws',
      /plugin ".\/test\/fixtures\/plugins\/throws" .* failed to load: FORGE_API_KEY is not set \(at .*throws\/index\.js:4:7\); fix the module, or remove it from AREA_PLUGINS/,
    ],
    [
      'declares an invalid service',
      './test/fixtures/plugins/invalid',
      /declares an invalid service "broken":\n {2}- actions\[0\]: declares neither polling nor webhook.*\n {2}- reactions\[0\]\.params\.to: needs a description and examples/,
    ],
    [
      'takes a built-in id',
      './test/fixtures/plugins/clash',
      /declares service "github", already declared by the built-in service "github": a plugin cannot replace a service/,
    ],
    [
      'is not there',
      './test/fixtures/plugins/nope',
      /plugins\/nope does not exist; paths are relative to the working directory .*: fix the path, or remove it from AREA_PLUGINS/,
    ],
  ] as const

  it.each(cases)('%s', async (_, plugin, message) => {
    const env = { AREA_PLUGINS: plugin }
    const [validate, serve] = await Promise.all([
      runCli(['validate', '-f', 'areas.example.yaml'], { env }),
      runCli(['serve', '--port', '0'], {
        env: { ...env, AREA_DATA_DIR: join(dir, `serve-${plugin.split('/').pop()}`) },
      }),
    ])
    expect(validate.stderr).toMatch(message)
    expect(validate.code).toBe(3)
    expect(serve.stderr).toMatch(message)
    expect(serve.code).toBe(3)
  })
})

describe('area services init', () => {
  it('writes a plugin that passes its own test and loads in the catalog', async () => {
    const plugin = join(dir, 'acme-tracker')
    const init = await runCli(['services', 'init', 'acme_tracker', '--dir', plugin])
    expect(init.code).toBe(0)
    expect(init.stdout).toContain('Created the service "acme_tracker"')
    // What `npm install` of its devDependency does: area beside it, here the tests' build.
    await mkdir(join(plugin, 'node_modules'))
    await symlink(dirname(dirname(cliBin())), join(plugin, 'node_modules/area'), 'dir')
    const tested = await run(process.execPath, ['--test'], {
      cwd: plugin,
      env: { PATH: process.env.PATH ?? '' },
    })
    expect(tested.stdout).toMatch(/# pass 4\n# fail 0/)

    const described = await runCli(['services', 'describe', 'acme_tracker'], {
      env: { AREA_PLUGINS: plugin },
    })
    expect(described.code).toBe(0)
    expect(described.stdout).toContain('Action acme_tracker.new_item')

    const again = await runCli(['services', 'init', 'acme_tracker', '--dir', plugin])
    expect(again.code).toBe(3)
    expect(again.stderr).toContain('is not empty')
    const badId = await runCli(['services', 'init', 'Acme-Tracker', '--dir', join(dir, 'x')])
    expect(badId.code).toBe(3)
    expect(badId.stderr).toContain('cannot be a service id')
  })
})
