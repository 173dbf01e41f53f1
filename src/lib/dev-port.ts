/**
 * `area dev` checks its port before it opens the database (which takes seconds), so a busy port
 * is reported at once, naming the port and the flag to change.
 */
import { createServer } from 'node:net'
import { CliError } from './cli-error.js'
import { ExitCode } from './exit-codes.js'

/** Resolves when `port` on `host` can be listened on; throws a CliError naming --port if not. */
export function ensurePortFree(host: string, port: number, bin = 'area'): Promise<void> {
  if (port === 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') return resolve() // the daemon reports anything else itself
      const next = port < 65535 ? port + 1 : port - 1
      reject(
        new CliError(
          `port ${port} on ${host} is already in use by another process (another \`${bin} dev\`?): stop it, or start on another port with --port, e.g. \`${bin} dev --port ${next}\` (--port 0 picks a free one)`,
          { exitCode: ExitCode.error, code: 'port_in_use' },
        ),
      )
    })
    probe.listen(port, host, () => probe.close(() => resolve()))
  })
}
