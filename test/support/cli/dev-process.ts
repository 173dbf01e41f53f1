/**
 * `area dev` as a long-running child process (the tests' built CLI): its output so far,
 * a wait for a text to appear, and its exit. Kill it with `child.kill('SIGINT')` (Ctrl-C).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { cliBin, repoRoot } from './run-cli.js'

export interface DevProcess {
  child: ChildProcess
  output(): { stdout: string; stderr: string }
  /** Waits until stdout (or stderr) holds `text` (a string or a pattern); fails if dev exits. */
  waitFor(
    text: string | RegExp,
    options?: { timeoutMs?: number; stream?: 'stdout' | 'stderr' },
  ): Promise<void>
  exited: Promise<number | null>
}

export function startDevProcess(args: string[], env: Record<string, string>): DevProcess {
  const child = spawn(process.execPath, [cliBin(), 'dev', ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    async waitFor(text, { timeoutMs = 180_000, stream = 'stdout' } = {}) {
      const deadline = Date.now() + timeoutMs
      const found = () => {
        const seen = stream === 'stdout' ? stdout : stderr
        return typeof text === 'string' ? seen.includes(text) : text.test(seen)
      }
      while (!found()) {
        if (child.exitCode !== null)
          throw new Error(`area dev exited with ${child.exitCode}:\n${stdout}\n${stderr}`)
        if (Date.now() > deadline)
          throw new Error(`area dev never printed ${String(text)}:\n${stdout}\n${stderr}`)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    },
  }
}
