/**
 * "did you mean `apply`?" for a mistyped command (`area aply`), as git and kubectl answer. The
 * command list is a few dozen names: a plain edit distance is enough, no library needed.
 */
import type { Interfaces } from '@oclif/core'
import { commandName } from './command-name.js'

/** Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  const width = b.length + 1
  const d: number[] = []
  const at = (i: number, j: number) => d[i * width + j] ?? Number.POSITIVE_INFINITY
  for (let i = 0; i <= a.length; i++) {
    for (let j = 0; j <= b.length; j++) {
      if (i === 0 || j === 0) {
        d[i * width + j] = i + j
        continue
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1)
      d[i * width + j] = best
    }
  }
  return at(a.length, b.length)
}

/** The closest name, when it is close enough to be what was meant. */
export function closest(typed: string, names: readonly string[]): string | undefined {
  const limit = Math.min(2, Math.max(1, Math.floor(typed.length / 3)))
  let best: { name: string; distance: number } | undefined
  for (const name of names) {
    const distance = editDistance(typed, name)
    if (distance <= limit && (!best || distance < best.distance)) best = { name, distance }
  }
  return best?.name
}

/** The message for an unknown command `id` (oclif's form, `tokens:craete`), with a suggestion. */
export function unknownCommandMessage(id: string, config: Interfaces.Config): string {
  const spaced = (name: string) => name.replaceAll(':', ' ')
  const names = [...config.commandIDs, ...config.topics.map((topic) => topic.name)].map(spaced)
  const typed = spaced(id)
  const suggestion = closest(typed, names)
  const name = commandName()
  return [
    `\`${typed}\` is not a command of ${config.bin}`,
    suggestion ? `: did you mean \`${suggestion}\`?` : '.',
    ` See \`${name} help\` for the list.`,
  ].join('')
}
