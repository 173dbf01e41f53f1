/**
 * The offline commands must not load the daemon: kysely, bullmq, fastify, pg, ioredis, nodemailer,
 * undici and the feed parser cost start-up time that `area --version` and `area validate` have no
 * use for (issue 12). The CLI runs with a loader hook that lists every module it loads; the lists
 * are checked, not timed (the timings are in `npm run bench`). `area validate` runs from one
 * bundle (scripts/bundle-offline.mjs) that leaves the daemon's packages as imports, so a daemon
 * package it reached would still be a module load here; the bundle's own text is checked too.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { daemonPackages } from '../../scripts/daemon-packages.mjs'
import { buildCopy } from '../support/cli/built-copy.js'
import { repoRoot } from '../support/cli/run-cli.js'

const hook = fileURLToPath(new URL('module-trace.mjs', import.meta.url))

let dir: string
let bin: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'area-modules-'))
  // Built, with its manifest, as installed: bin/dev.js imports every command to list them.
  bin = await buildCopy(join(dir, 'area'))
}, 180_000)
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
  it('--version, version and validate', async () => {
    const [version, versionCommand, validate] = await Promise.all([
      modulesOf('version', ['--version']),
      modulesOf('version-command', ['version']),
      modulesOf('validate', ['validate', '-f', 'areas.example.yaml']),
    ])
    for (const run of [version, versionCommand, validate]) {
      expect(run.code).toBe(0)
      expect(daemonModules(run.modules)).toEqual([])
    }
    // validate runs from the bundle alone: no second copy of the code from dist/ or node_modules.
    expect(validate.modules.filter((url) => url.startsWith('file:'))).toEqual([
      expect.stringMatching(/\/bin\/run\.js$/),
      expect.stringMatching(/\/dist\/offline-bundle\.js$/),
    ])
  }, 180_000)

  it('the bundle holds what validate needs and none of the daemon packages', async () => {
    // esbuild marks each module it inlines with a `// <path>/node_modules/<package>/…` comment.
    const bundle = await readFile(join(dirname(bin), '../dist/offline-bundle.js'), 'utf8')
    const inlined = new Set(
      [...bundle.matchAll(/^\/\/ (?:\S*\/)?node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((match) => match[1]),
    )
    expect([...inlined]).toEqual(expect.arrayContaining(['@oclif/core', 'yaml', 'liquidjs', 'ajv']))
    expect(bundle).toMatch(/^\/\/ dist\/services\/email\/reactions\/send\.js$/m)
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
