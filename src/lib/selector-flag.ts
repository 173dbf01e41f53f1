/**
 * `-l, --selector`: a label selector in kubectl's syntax (src/spec/label-selector.ts), checked
 * while the flags are read, so a bad one is a usage error (exit 3) before anything is sent.
 */
import { Flags } from '@oclif/core'
import { parseLabelSelector } from '../spec/label-selector.js'

export function selectorFlag(summary: string, options: { dependsOn?: string[] } = {}) {
  return Flags.string({
    char: 'l',
    summary,
    helpValue: '<selector>',
    ...options,
    parse: async (input) => {
      parseLabelSelector(input)
      return input
    },
  })
}
