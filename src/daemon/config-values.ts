/**
 * Readers shared by the configuration modules (config.ts and the config-*.ts groups): each
 * problem is collected, never thrown, so a start reports every bad variable at once.
 */

export type Env = Readonly<Record<string, string | undefined>>

/** A whole number within range; unset or empty gives the fallback. */
export function integer(
  env: Env,
  name: string,
  fallback: number,
  problems: string[],
  range: { min: number; max: number },
): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    problems.push(`${name} must be a whole number from ${range.min} to ${range.max} (got "${raw}")`)
    return fallback
  }
  return value
}
