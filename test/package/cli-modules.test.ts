/**
 * The offline commands must not load the daemon: kysely, bullmq, fastify, pg, ioredis, nodemailer,
 * undici and the feed parser cost start-up time that `area --version` and `area validate` have no
 * use for (issue 12). The CLI runs with a loader hook that lists every module it loads; the lists
 * are checked, not timed (the timings are in `npm run bench`). `area validate` and `area test` run from one
 * bundle (scripts/bundle-offline.mjs) that leaves the daemon's packages as imports, so a daemon
 * package it reached would still be a module load here; the bundle's own text is checked too.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Ajv } from 'ajv'
import ajvFormats from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { daemonPackages } from '../../scripts/daemon-packages.mjs'
import { cliBin, repoRoot, runCli } from '../support/cli/run-cli.js'

const hook = fileURLToPath(new URL('module-trace.mjs', import.meta.url))

let dir: string
let bin: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'area-modules-'))
  // The run's build, with its manifest, as installed (bin/dev.js imports every command to list them).
  bin = cliBin()
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** The modules `area <args>` loads, and its exit code. */
async function modulesOf(
  name: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; modules: string[] }> {
  const trace = join(dir, `${name}.txt`)
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', hook, bin, ...args], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        AREA_MODULE_TRACE: trace,
        ...env,
      },
      stdio: 'ignore',
    })
    child.on('error', reject)
    child.on('close', resolve)
  })
  return { code, modules: (await readFile(trace, 'utf8')).split('\n').filter(Boolean) }
}

function daemonModules(modules: string[]): string[] {
  return modules.filter((url) => daemonPackages.some((name) => url.includes(`/node_modules/${name}/`)))
}

describe('offline commands load no daemon code', () => {
  it('--version, version, validate and test', async () => {
    const [version, versionCommand, validate, test] = await Promise.all([
      modulesOf('version', ['--version']),
      modulesOf('version-command', ['version']),
      modulesOf('validate', ['validate', '-f', 'areas.example.yaml']),
      // The engine runs every AREA of the example here: rendering, CEL, secrets, the graph.
      modulesOf('test', ['test', '-f', 'areas.example.yaml']),
    ])
    for (const run of [version, versionCommand, validate, test]) {
      expect(run.code).toBe(0)
      expect(daemonModules(run.modules)).toEqual([])
    }
    // validate and test run from the bundle alone: no second copy of our code from dist/.
    const files = (run: { modules: string[] }) => [
      ...new Set(run.modules.filter((url) => url.startsWith('file:'))),
    ]
    const packages = (run: { modules: string[] }) => [
      ...new Set(files(run).flatMap((url) => url.match(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1] ?? [])),
    ]
    for (const run of [validate, test])
      expect(
        files(run)
          .filter((url) => !url.includes('/node_modules/'))
          .sort(),
      ).toEqual([
        expect.stringMatching(/\/bin\/run\.js$/),
        expect.stringMatching(/\/dist\/offline-bundle\.cjs$/),
      ])
    // Beside it, validate requires only the helpers its precompiled validators name (Ajv's
    // standalone code requires them at run time; the formats are src/engine/formats.ts, in the
    // bundle); test also the real Ajv, which compiles the declared output schemas that mocks are
    // checked against.
    expect(packages(validate).sort()).toEqual(['ajv'])
    expect(
      files(validate).filter(
        (url) => url.includes('/node_modules/ajv/') && !url.includes('/ajv/dist/runtime/'),
      ),
    ).toEqual([])
    const ajvFamily = ['ajv', 'ajv-formats', 'fast-deep-equal', 'fast-uri', 'json-schema-traverse']
    expect(packages(test).filter((name) => !ajvFamily.includes(name))).toEqual([])
  }, 180_000)

  it('the bundle holds what validate needs and none of the daemon packages', async () => {
    // esbuild's account of the modules it inlined (built-copy.ts has it written).
    const metafile = JSON.parse(
      await readFile(join(dirname(bin), '../offline-bundle.meta.json'), 'utf8'),
    ) as {
      outputs: Record<string, { inputs: Record<string, unknown> }>
    }
    const inputs = Object.keys(metafile.outputs['dist/offline-bundle.cjs']?.inputs ?? {})
    const inlined = new Set(
      inputs.flatMap((path) => path.match(/(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1] ?? []),
    )
    expect([...inlined]).toEqual(expect.arrayContaining(['@oclif/core', 'yaml', 'liquidjs', 'ajv']))
    expect(inputs).toContain('dist/services/email/reactions/send.js')
    expect(daemonPackages.filter((name) => inlined.has(name))).toEqual([])
  })

  it('while a command of the daemon does load them (the trace would see them)', async () => {
    const migrate = await modulesOf('migrate', ['db', 'migrate'], {
      DATABASE_URL: 'postgres://area@127.0.0.1:9/none',
    })
    expect(migrate.code).not.toBe(0)
    expect(daemonModules(migrate.modules)).toEqual(
      expect.arrayContaining([expect.stringContaining('/node_modules/kysely/')]),
    )
  }, 180_000)
})

/** Problems of every kind validate reports: document shape, registry, params, templates, cron. */
const faultyAreas = `apiVersion: area/v1
kind: Area
metadata:
  name: Bad_Name
  extra: 1
spec:
  action:
    service: timer
    action: every
    params:
      interval: 1 minute
  reactions:
    - id: ping
      service: http
      reaction: request
      params:
        method: FETCH
        url: "{{ trigger.nope"
        timeout: -1
        colour: red
---
apiVersion: area/v1
kind: Area
metadata:
  name: cron
spec:
  action:
    service: timer
    action: cron
    params:
      expression: "61 * * * *"
  reactions:
    - id: send
      service: emial
      reaction: send
`

describe('the offline bundle', () => {
  it('prints what the sources print, for valid and faulty files', async () => {
    const faulty = join(dir, 'faulty.yaml')
    await writeFile(faulty, faultyAreas)
    for (const args of [
      ['validate', '-f', faulty],
      ['validate', '-f', faulty, '--json'],
      ['validate', '-f', 'areas.example.yaml', '--json'],
      ['test', '-f', 'test/fixtures/area-test/fail'],
    ]) {
      const [bundled, sources] = await Promise.all([runCli(args), runCli(args, { fromSources: true })])
      // `area test` fingerprints secrets under a key of its run: equal within a run only.
      const keyless = (run: typeof bundled) => ({
        ...run,
        stdout: run.stdout.replace(/<secret:[0-9a-f]{12}>/g, '<secret:…>'),
      })
      expect(keyless(bundled)).toEqual(keyless(sources))
    }
    const faultyRun = await runCli(['validate', '-f', faulty])
    expect(faultyRun.code).toBe(3)
    // The file above does reach the params checks and the registry, so the equality means something.
    expect(faultyRun.stderr).toContain('/spec/reactions/0/params/method')
    expect(faultyRun.stderr).toContain('/spec/reactions/0/service')
  }, 180_000)

  it('comes with a V8 code cache that this Node accepts, holding more than the top level', async () => {
    // Compiled as bin/run.js compiles it, in a plain node (a test runner's V8 flags would make V8
    // reject any cache); a rejected cache would silently cost the compile it saves. Each probe is
    // its own process: V8 keeps what it compiled per process and would answer a second compile from it.
    const file = join(dirname(bin), '../dist/offline-bundle.cjs')
    const probe = (withCache: boolean) =>
      [
        "const { readFileSync } = require('node:fs')",
        "const { Module } = require('node:module')",
        "const vm = require('node:vm')",
        `const file = ${JSON.stringify(file)}`,
        `const cachedData = ${withCache} ? readFileSync(file + '.v8cache') : undefined`,
        "const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData })",
        'process.stdout.write(JSON.stringify({ rejected: script.cachedDataRejected ?? null, bytes: script.createCachedData().length }))',
      ].join('\n')
    const run = (withCache: boolean) =>
      new Promise<{ rejected: boolean | null; bytes: number }>((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', probe(withCache)], {
          env: { PATH: process.env.PATH ?? '' },
        })
        let out = ''
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk
        })
        child.on('error', reject)
        child.on('close', () => resolve(JSON.parse(out)))
      })
    const [cached, fresh] = await Promise.all([run(true), run(false)])
    expect(cached.rejected).toBe(false)
    // Written after a validate ran: the functions it compiled are in it, not only the top level.
    expect(cached.bytes).toBeGreaterThan(fresh.bytes * 1.5)
  })

  it('compiles no schema at run time: every compile validate does was done at build time', async () => {
    const dist = join(dirname(bin), '../dist')
    const load = (path: string) => import(pathToFileURL(join(dist, path)).href)
    // What the built modules compile while validating the example, recorded from Ajv itself.
    const compiles: { ajv: Ajv; schema: object }[] = []
    const compile = Ajv.prototype.compile
    Ajv.prototype.compile = function recorded(this: Ajv, schema: object, meta?: boolean) {
      compiles.push({ ajv: this, schema })
      return compile.call(this, schema, meta)
    } as typeof compile
    try {
      const { validateAreaFiles } = await load('lib/area-files.js')
      const result = await validateAreaFiles([join(repoRoot, 'areas.example.yaml')], false, () => {})
      expect(result.valid).toBe(true)
    } finally {
      Ajv.prototype.compile = compile
    }
    // The document's schema, at load, and the params of the example's actions and reactions.
    expect(compiles.length).toBeGreaterThan(3)
    const { Ajv: PrecompiledAjv, isPrecompiled } = await load('ajv-precompiled.js')
    for (const { ajv, schema } of compiles)
      expect(isPrecompiled(PrecompiledAjv.prototype.compile.call(ajv, schema))).toBe(true)
  })

  it('compiles as Ajv does a schema it was not built with, formats and their keywords included', async () => {
    const { Ajv: PrecompiledAjv, isPrecompiled } = await import(
      pathToFileURL(join(dirname(bin), '../dist/ajv-precompiled.js')).href
    )
    const ajv = new PrecompiledAjv({ allErrors: true })
    ajvFormats.default(ajv)
    const validate = ajv.compile({ type: 'string', format: 'date', formatMinimum: '2020-01-01' })
    expect(isPrecompiled(validate)).toBe(false)
    expect([validate('2021-06-01'), validate('2019-06-01'), validate('June')]).toEqual([true, false, false])
    validate('June')
    expect(validate.errors).toEqual([
      expect.objectContaining({ keyword: 'format', params: { format: 'date' } }),
    ])
  })
})
