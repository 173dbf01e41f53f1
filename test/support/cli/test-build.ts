/**
 * The CLI every test runs: one built copy (test/support/cli/built-copy.ts) per state of the
 * sources, made by the global setup and reused by every test file of the run, and by later runs
 * while the sources stay the same.
 *
 * Decision (docs/architecture.md, "Decisions", 14): tests used to run bin/dev.js through tsx, which
 * compiles the sources at every start: 2–2.5 s per CLI call or daemon start against 0.3 s for
 * the built bin/run.js, and the CLI tests make hundreds of them. A build made from the sources
 * at the start of the run cannot be stale; keyed by a hash of everything that goes into it, it is
 * rebuilt only when one of those files changed.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { buildCopy } from './built-copy.js'
import { repoRoot } from './repo-root.js'

/** What goes into a build: every file under these folders, and these files. */
const inputs = [
  'src',
  'bin',
  'scripts',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'tsconfig.sdk.json',
]

async function filesUnder(path: string): Promise<string[]> {
  if (!existsSync(path)) return []
  if (!(await stat(path)).isDirectory()) return [path]
  const entries = await readdir(path, { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}

/** A hash of the checkout's path and of the names and contents of every input file. */
export async function sourcesHash(): Promise<string> {
  const files = (await Promise.all(inputs.map((i) => filesUnder(join(repoRoot, i))))).flat().sort()
  // The checkout is part of the key: a build links the node_modules of the checkout it was made
  // from, and another checkout's tests must load their own packages.
  const hash = createHash('sha256').update(repoRoot).update('\0')
  for (const file of files) {
    hash
      .update(relative(repoRoot, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0')
  }
  return hash.digest('hex').slice(0, 16)
}

const READY = 'ready'
/** A build that has not finished in this long was left by a run that died: it is redone. */
const ABANDONED_MS = 5 * 60_000

/**
 * The path of the built bin/run.js for the current sources, building it first when needed.
 * Two runs at once (a developer's and CI's) share it: the first to create the folder builds,
 * the other waits for its `ready` file.
 */
export async function testBuild(): Promise<string> {
  const dir = join(tmpdir(), `area-test-cli-${await sourcesHash()}`)
  const bin = join(dir, 'bin/run.js')
  for (;;) {
    if (existsSync(join(dir, READY))) return bin
    try {
      await mkdir(dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const age = Date.now() - (await stat(dir)).mtimeMs
      if (age > ABANDONED_MS) await rm(dir, { recursive: true, force: true })
      else await new Promise((resolve) => setTimeout(resolve, 500))
      continue
    }
    try {
      await buildCopy(dir)
      await writeFile(join(dir, READY), new Date().toISOString())
      return bin
    } catch (error) {
      await rm(dir, { recursive: true, force: true })
      throw error
    }
  }
}
