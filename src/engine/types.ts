export type JsonPrimitive = string | number | boolean | null
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

/** The logging surface handlers get; pino loggers satisfy it. */
export interface Logger {
  debug(obj: object | string, msg?: string): void
  info(obj: object | string, msg?: string): void
  warn(obj: object | string, msg?: string): void
  error(obj: object | string, msg?: string): void
  /** A logger whose every line carries `bindings` (pino's child loggers). */
  child?(bindings: object): Logger
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
}

/** A connection's decrypted credentials, as the service stored them (token, OAuth tokens, URL…). */
export type Credentials = Readonly<Record<string, JsonValue>>
