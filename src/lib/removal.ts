/**
 * Deleting one thing by name (`area delete`, `area connections remove`): the `--yes` flag that
 * skips the question (confirm.ts asks it), the `--json` document, and the line people see.
 */
import { Flags } from '@oclif/core'
import type { Colors } from './colors.js'

export const removalFlags = {
  yes: Flags.boolean({ char: 'y', summary: 'Do not ask for confirmation.', default: false }),
}

export interface Removal {
  name: string
  outcome: 'deleted' | 'removed'
}

export function removalLine(removal: Removal, c: Colors): string {
  return `${c.red('-')} ${removal.outcome} ${removal.name}`
}
