/**
 * Durations as people write them in AREA files and on the command line: `30s`, `5m`, `1h30m`,
 * `1d`. Units go from largest to smallest, each at most once, whole numbers only, so every
 * duration has one spelling and `formatDuration` can give it back.
 */

const UNITS = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
] as const

const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/

/** JSON Schema pattern for a duration (zero allowed), shared with params schemas. */
export const DURATION_PATTERN = '^(?=\\d)(?:\\d+d)?(?:\\d+h)?(?:\\d+m)?(?:\\d+s)?$'

/** JSON Schema pattern for a duration of at least one second. */
export const POSITIVE_DURATION_PATTERN = '^(?=\\d)(?=.*[1-9])(?:\\d+d)?(?:\\d+h)?(?:\\d+m)?(?:\\d+s)?$'

const ACCEPTED = 'use whole numbers with units d, h, m, s in that order, e.g. 30s, 5m, 1h30m, 1d'

/** Parses a duration into seconds; throws an Error naming the bad value and the accepted forms. */
export function parseDuration(text: string): number {
  const match = typeof text === 'string' ? DURATION.exec(text) : null
  if (!match || text === '') {
    throw new Error(`invalid duration ${JSON.stringify(text)}: ${ACCEPTED}`)
  }
  let seconds = 0
  UNITS.forEach(([, size], i) => {
    const amount = match[i + 1]
    if (amount !== undefined) seconds += Number(amount) * size
  })
  if (!Number.isSafeInteger(seconds)) throw new Error(`invalid duration ${JSON.stringify(text)}: too large`)
  return seconds
}

/** The canonical short form of a number of seconds: `90` → `1m30s`, `0` → `0s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new Error(`cannot format ${seconds} as a duration: expected a whole number of seconds ≥ 0`)
  }
  if (seconds === 0) return '0s'
  let rest = seconds
  let text = ''
  for (const [unit, size] of UNITS) {
    const amount = Math.floor(rest / size)
    if (amount > 0) text += `${amount}${unit}`
    rest -= amount * size
  }
  return text
}
