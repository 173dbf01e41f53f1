/**
 * `area dev`'s daemon logs: the JSON lines go to a file in the data directory (the terminal is
 * for the summary and the event log), and warnings and errors, which the user must see, are
 * also printed on stderr as one short line each.
 */
import { join } from 'node:path'
import pino from 'pino'
import { type AppLogger, createLogger } from '../daemon/index.js'
import type { Colors } from './colors.js'
import { terminalText } from './terminal-text.js'

export interface DevLog {
  logger: AppLogger
  /** Where the JSON lines go. */
  file: string
}

const levels: Readonly<Record<number, string>> = { 40: 'warning', 50: 'error', 60: 'fatal' }

/** A pino line as one line for people (`warning: …`), or undefined when it is not one. */
export function humanLogLine(json: string, c: Colors): string | undefined {
  let line: { level?: number; msg?: string; reason?: unknown; err?: { message?: unknown } }
  try {
    line = JSON.parse(json)
  } catch {
    return undefined
  }
  const label = levels[line.level ?? 0]
  if (!label || !line.msg) return undefined
  // The cause, when the line carries one: the message alone often says only what failed.
  const cause = typeof line.err?.message === 'string' ? line.err.message : line.reason
  const text = terminalText(typeof cause === 'string' && cause ? `${line.msg}: ${cause}` : line.msg)
  return `${(label === 'warning' ? c.yellow : c.red)(`${label}:`)} ${text}`
}

/**
 * A logger writing every line at `level` to <dataDir>/dev.log (started afresh on each run) and
 * warnings and errors to `print` as human lines.
 */
export function devLog(dataDir: string, level: string, c: Colors, print: (line: string) => void): DevLog {
  const file = join(dataDir, 'dev.log')
  // Synchronous: a dev server writes few lines, and none is lost when it stops or crashes.
  const toFile = pino.destination({ dest: file, sync: true, append: false, mkdir: true })
  const toPeople = {
    write(json: string) {
      const line = humanLogLine(json, c)
      if (line) print(line)
    },
  }
  const streams = pino.multistream([
    { level: level as pino.Level, stream: toFile },
    { level: 'warn', stream: toPeople },
  ])
  return { logger: createLogger(level, streams), file }
}
