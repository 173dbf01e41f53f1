/**
 * `npm pack` gives a package that installs as a working `area` command (issue 12): the tarball
 * holds the build, the manifest and the migrations, and its bin runs from an install layout
 * (<prefix>/bin/area → <prefix>/lib/node_modules/area) with the runtime dependencies only.
 *
 * Why not `npm install -g --prefix <tmp> <tarball>`: it fetches the dependencies from the
 * registry (`--offline` fails on an empty npm cache), and the tests stay on loopback. So the
 * install is laid out by hand: the tarball extracted where npm puts it, its node_modules made of
 * links to the checkout's production packages only (`npm ls --omit=dev`), and node run with
 * --preserve-symlinks so that every import, the dependencies' own included, resolves through that
 * node_modules: an import of a devDependency (tsx, typescript, semver…) fails here as it would
 * after a real install.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../support/cli/run-cli.js'

const run = promisify(execFile)

let dir: string
let prefix: string
let files: string[]

/**
 * The production packages at the top of the checkout's node_modules (`fastify`, `@scope/x`):
 * package-lock.json marks what only the devDependencies need with `dev: true`.
 */
async function productionPackages(): Promise<string[]> {
  const lock = JSON.parse(await readFile(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>
  }
  const names = Object.entries(lock.packages)
    .filter(([path, entry]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && !entry.dev)
    .map(([path]) => path.slice('node_modules/'.length))
  // Optional packages of other platforms are in the lockfile, not on disk.
  return names.filter((name) => existsSync(join(repoRoot, 'node_modules', name)))
}

/** `area <args>` as installed: found on the PATH, run from a directory outside the checkout. */
function area(args: string[], env: Record<string, string> = {}) {
  return run('area', args, {
    cwd: dir,
    env: {
      PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: dir,
      NODE_OPTIONS: '--preserve-symlinks',
      ...env,
    },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  )
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'area-pack-'))
  prefix = join(dir, 'prefix')
  // npm pack runs `prepare` (npm run build: tsc, then the manifest) before packing.
  await run('npm', ['pack', '--pack-destination', dir], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 })
  const tarball = join(dir, (await readdir(dir)).find((f) => f.endsWith('.tgz')) as string)
  files = (await run('tar', ['tzf', tarball], { maxBuffer: 16 * 1024 * 1024 })).stdout
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''))
  const installed = join(prefix, 'lib/node_modules/area')
  await mkdir(installed, { recursive: true })
  await run('tar', ['xzf', tarball, '--strip-components=1', '-C', installed])
  for (const name of await productionPackages()) {
    await mkdir(dirname(join(installed, 'node_modules', name)), { recursive: true })
    await symlink(join(repoRoot, 'node_modules', name), join(installed, 'node_modules', name), 'dir')
  }
  await mkdir(join(prefix, 'bin'))
  await symlink('../lib/node_modules/area/bin/run.js', join(prefix, 'bin/area'))
}, 300_000)
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('the packed package', () => {
  it('holds the build, the manifest and the migrations, and no sources or tests', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'bin/run.js',
        'oclif.manifest.json',
        'dist/commands/validate.js',
        'dist/offline-bundle.cjs',
        'dist/offline-bundle.cjs.v8cache',
        'dist/hooks/command-not-found.js',
        expect.stringMatching(/^supabase\/migrations\/.+\.sql$/),
      ]),
    )
    expect(files.filter((f) => /^(src|test|bench|scripts)\//.test(f))).toEqual([])
  })

  it('runs as `area` from the PATH with its production dependencies only', async () => {
    const example = join(repoRoot, 'areas.example.yaml')
    const [version, validate, help, typo] = await Promise.all([
      area(['--version']),
      area(['validate', example]),
      area(['help', 'validate']),
      area(['aply']),
    ])
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^area\/\d+\.\d+\.\d+ /) })
    expect(validate.code, validate.stderr).toBe(0)
    expect(validate.stdout).toMatch(/AREAs valid in 1 file\./)
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('$ area validate')
    expect(typo.code).toBe(3)
    // Installed, the hint names the command as typed.
    expect(typo.stderr).toContain('did you mean `apply`? See `area help`')
  }, 180_000)

  it('exports its SDK with declarations, which a plugin folder gets from the installed area', async () => {
    expect(files).toEqual(expect.arrayContaining(['dist/sdk.js', 'dist/sdk.d.ts', 'dist/engine/define.d.ts']))
    // The fixture has no node_modules: `area/sdk` is answered by the installed build.
    const env = { AREA_PLUGINS: join(repoRoot, 'test/fixtures/plugins/forge') }
    const [described, validate] = await Promise.all([
      area(['services', 'describe', 'forge'], env),
      area(['validate', join(repoRoot, 'areas.example.yaml')], env),
    ])
    expect(described.code, described.stderr).toBe(0)
    expect(described.stdout).toContain('Reaction forge.post')
    expect(validate.code, validate.stderr).toBe(0)
  }, 180_000)
})
