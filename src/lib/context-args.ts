/** The context NAME argument of `area context use|set|delete`, declared once. */
import { Args } from '@oclif/core'

/** `{ name }` for a command's `args`; `set` describes it as a new name. */
export function contextNameArg(description = 'The context (see `area context list`).') {
  return { name: Args.string({ description, required: true }) }
}
