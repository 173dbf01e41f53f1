/**
 * "Did you mean …?" for a mistyped name: the closest known name by edit distance, when it is close
 * enough to be a typo rather than another word (at most a third of its letters differ).
 */

/** The known name closest to `input`, or undefined when none is close. */
export function closest(input: string, known: readonly string[]): string | undefined {
  const typed = input.toLowerCase()
  let best: { name: string; distance: number } | undefined
  for (const name of known) {
    const distance = editDistance(typed, name.toLowerCase())
    if (distance < (best?.distance ?? Number.POSITIVE_INFINITY)) best = { name, distance }
  }
  if (!best || best.name === input) return undefined
  const limit = Math.max(1, Math.floor(Math.max(typed.length, best.name.length) / 3))
  return best.distance <= limit ? best.name : undefined
}

/** ` (did you mean "x"?)` or nothing, to append to a message. */
export function didYouMean(input: unknown, known: readonly string[]): string {
  if (typeof input !== 'string' || input === '') return ''
  const match = closest(input, known)
  return match === undefined ? '' : `; did you mean "${match}"?`
}

/** Levenshtein distance with transpositions counted as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      const row = d[i] as number[]
      const above = d[i - 1] as number[]
      let value = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, ((d[i - 2] as number[])[j - 2] as number) + 1)
      row[j] = value
    }
  }
  return (d[a.length] as number[])[b.length] as number
}
