/**
 * How a process starts (docs/architecture.md, "Riding out faults"): how long it waits for
 * Postgres and Redis to become reachable before it gives up, and whether the metrics port was
 * chosen by the operator (then a busy port is an error) or is the default (then another free
 * port is taken, so that several workers and schedulers run on one host).
 */
import { type Env, integer } from './config-values.js'

export interface StartupSettings {
  /** AREA_START_TIMEOUT: seconds to wait for Postgres and Redis at start (0: do not wait). */
  timeoutSeconds: number
  /** AREA_METRICS_PORT was set (even to 0): a busy port then fails the start. */
  metricsPortGiven: boolean
}

export const DEFAULT_START_TIMEOUT_SECONDS = 120

export function readStartupSettings(env: Env, problems: string[]): StartupSettings {
  return {
    timeoutSeconds: integer(env, 'AREA_START_TIMEOUT', DEFAULT_START_TIMEOUT_SECONDS, problems, {
      min: 0,
      max: 86_400,
    }),
    metricsPortGiven: (env.AREA_METRICS_PORT ?? '') !== '',
  }
}
