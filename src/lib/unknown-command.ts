/**
 * "did you mean `apply`?" for a mistyped command (`area aply`), as git and kubectl answer, with
 * the one did-you-mean rule the AREA files' validation uses too (src/engine/did-you-mean.ts).
 */
import type { Interfaces } from '@oclif/core'
import { closest } from '../engine/did-you-mean.js'
import { commandName } from './command-name.js'

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
