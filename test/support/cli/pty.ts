/**
 * Runs the real CLI under a pseudo-terminal, for what only happens at a TTY: prompts, colours,
 * Ctrl-C and Ctrl-D. Python's pty module (python3 is on every machine the tests run on) owns the
 * terminal and copies bytes both ways, so no native addon is needed.
 *
 * A script is a list of steps: wait until the output matches `expect`, then type `send`.
 * Terminal control characters work as typed keys: '\u0003' is Ctrl-C, '\u0004' is Ctrl-D.
 */
import { spawn } from 'node:child_process'
import { cliBin, repoRoot } from './run-cli.js'

export interface PtyStep {
  expect: RegExp
  send: string
}

export interface PtyResult {
  /** Exit code; a death by signal N is reported as 128 + N, as a shell would. */
  code: number | null
  /** Everything the terminal showed (stdout and stderr mixed, CRLF line ends). */
  output: string
}

const spawnInPty = [
  'import os, pty, signal, sys',
  'status = pty.spawn(sys.argv[1:])',
  'code = os.waitstatus_to_exitcode(status)',
  'sys.exit(128 - code if code < 0 else code)',
].join('\n')

export function runCliInPty(
  args: string[],
  options: { steps?: PtyStep[]; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<PtyResult> {
  const steps = [...(options.steps ?? [])]
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', spawnInPty, process.execPath, cliBin(), ...args], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        TERM: 'xterm',
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let output = ''
    let consumed = 0
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`area ${args.join(' ')} under a pty did not finish; it showed:\n${output}`))
    }, options.timeoutMs ?? 60_000)
    const advance = (): void => {
      const step = steps[0]
      if (!step) return
      const match = step.expect.exec(output.slice(consumed))
      if (!match) return
      consumed += match.index + match[0].length
      steps.shift()
      child.stdin.write(step.send)
      advance()
    }
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      advance()
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}
