/**
 * One log line per outage of a dependency, and one when it is back, however many requests or
 * attempts fail in between: during a Postgres restart under load, a line per refused webhook
 * buried everything else (docs/architecture.md, "Riding out faults"). The failures in between
 * are counted, and the count goes into the recovery line.
 */
import { errorMessage } from '../engine/errors.js'
import type { Logger } from '../engine/types.js'

export interface OutageLogOptions {
  /** What went away: `postgres`, `redis`. */
  dependency: string
  /** Who noticed, as the lines' prefix: `api`, `scheduler`, `worker`. */
  component: string
  /** What a failure costs, for the recovery line: `requests refused`, `attempts failed`. */
  counting: string
  now?: () => number
}

export interface OutageLog {
  /** A failure: the first of an outage logs one warn line (dependency, reason); later ones are counted. */
  failed(error: unknown): void
  /** A success: ends an outage with one info line (how long, how many failures). Cheap when up. */
  succeeded(): void
  readonly down: boolean
}

export function createOutageLog(logger: Logger, options: OutageLogOptions): OutageLog {
  const now = options.now ?? Date.now
  const { dependency, component, counting } = options
  let since: number | undefined
  let failures = 0
  return {
    failed(error) {
      failures += 1
      if (since !== undefined) return
      since = now()
      logger.warn(
        { dependency, reason: errorMessage(error) },
        `${component}: ${dependency} is unavailable; failing fast and retrying until it is back`,
      )
    },
    succeeded() {
      if (since === undefined) return
      const downSeconds = Math.round((now() - since) / 100) / 10
      logger.info(
        { dependency, downSeconds, failures },
        `${component}: ${dependency} is back after ${downSeconds} s (${failures} ${counting} meanwhile)`,
      )
      since = undefined
      failures = 0
    },
    get down() {
      return since !== undefined
    },
  }
}
