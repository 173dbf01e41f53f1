/**
 * Structured JSON logs (pino). Secrets never reach a line: known secret-bearing fields are
 * redacted wherever they appear. While a span is active (traces on), each line names its trace.
 */
import pino from 'pino'
import { traceLogFields } from '../engine/tracing.js'

export type AppLogger = pino.Logger

export const redactedPaths = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'credentials',
  '*.credentials',
  // Secret params (docs/architecture.md, "Secret params"), should a handler log its params.
  'webhook_url',
  '*.webhook_url',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
]

export function createLogger(level: string, destination?: pino.DestinationStream): AppLogger {
  return pino(
    {
      level,
      base: { service: 'area' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      // trace_id and span_id of the active span, when traces are on (docs/architecture.md, "Traces").
      mixin: traceLogFields,
    },
    destination,
  )
}
