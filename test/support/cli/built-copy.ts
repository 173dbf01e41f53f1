/**
 * A built copy of the CLI in a directory of the test's own: dist/ compiled there with its offline
 * bundle, package.json, bin/run.js and the oclif manifest, node_modules linked to the checkout's. It runs the way an
 * installed `area` does (manifest, no tsx) without writing the checkout's dist/, which other
 * test files may be reading or building at the same time.
 */
import { execFile } from 'node:child_process'
import { copyFile, mkdir, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { repoRoot } from './repo-root.js'

const run = promisify(execFile)

/** Builds into `dir` and returns the path of its bin/run.js. */
export async function buildCopy(dir: string): Promise<string> {
  await run(
    process.execPath,
    [
      join(repoRoot, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      join(dir, 'dist'),
    ],
    {
      cwd: repoRoot,
    },
  )
  // The SDK's declarations (package.json "exports" "./sdk" types), as `npm run build` writes them.
  await run(
    process.execPath,
    [
      join(repoRoot, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.sdk.json',
      '--outDir',
      join(dir, 'dist'),
    ],
    { cwd: repoRoot },
  )
  await Promise.all(['bin', 'scripts'].map((sub) => mkdir(join(dir, sub), { recursive: true })))
  await Promise.all(
    [
      'package.json',
      // What scripts/code-cache.mjs validates to write the cache, as in the checkout's build.
      'areas.example.yaml',
      'bin/run.js',
      'scripts/oclif-manifest.mjs',
      'scripts/precompile-ajv.mjs',
      'scripts/bundle-offline.mjs',
      'scripts/daemon-packages.mjs',
      'scripts/code-cache.mjs',
    ].map((file) => copyFile(join(repoRoot, file), join(dir, file))),
  )
  await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir')
  // The migrations ship beside dist/ (package.json "files"); `area dev` and `db migrate` read them.
  await symlink(join(repoRoot, 'supabase'), join(dir, 'supabase'), 'dir')
  // The steps of `npm run build` after tsc, in the copy.
  await run(process.execPath, [join(dir, 'scripts/precompile-ajv.mjs')], { cwd: dir })
  // What went into the bundle, for test/package/cli-modules.test.ts.
  const metafile = join(dir, 'offline-bundle.meta.json')
  await run(process.execPath, [join(dir, 'scripts/bundle-offline.mjs'), '--metafile', metafile], { cwd: dir })
  await run(process.execPath, [join(dir, 'scripts/oclif-manifest.mjs')], { cwd: dir })
  await run(process.execPath, [join(dir, 'scripts/code-cache.mjs')], { cwd: dir })
  return join(dir, 'bin/run.js')
}
