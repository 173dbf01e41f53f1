/**
 * Runs the real CLI in a child process, as a user or a CI job would, with a small known
 * environment: no variables of the developer's shell leak in. The CLI is the run's built copy
 * (test/support/cli/test-build.ts), started as an installed `area` is: bin/run.js and dist/.
 */
import { spawn } from 'node:child_process'
import { inject } from 'vitest'

export { repoRoot } from './repo-root.js'

import { repoRoot } from './repo-root.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The path of the built bin/run.js every test runs (set by test/support/global-setup.ts). */
    areaCli: string
  }
}

/** The built bin/run.js: spawn `node <cliBin()> …args`. */
export function cliBin(): string {
  return inject('areaCli')
}

/**
 * The command as the CLI names itself in hints ("run `… login`"): started by path from the
 * checkout, it is that path (src/lib/command-name.ts).
 */
export function cliHint(): string {
  return cliBin()
}

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  input?: string
  env?: Record<string, string>
  cwd?: string
  /** Run bin/dev.js through tsx (the sources as written) instead of the build: to compare them. */
  fromSources?: boolean
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const start = options.fromSources ? ['--import', 'tsx', 'bin/dev.js'] : [cliBin()]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...start, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}
