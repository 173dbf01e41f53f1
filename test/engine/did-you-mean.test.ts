/**
 * The one did-you-mean rule (src/engine/did-you-mean.ts): the AREA files' validation and the
 * CLI's unknown commands (src/lib/unknown-command.ts) both suggest with it.
 */
import { describe, expect, it } from 'vitest'
import { closest, didYouMean, editDistance } from '../../src/engine/did-you-mean.js'

/** Command names as the CLI offers them (topics and `topic command`, spaced). */
const commands = [
  'apply',
  'connections',
  'connections add',
  'connections update',
  'context',
  'context use',
  'dev',
  'get',
  'logs',
  'status',
  'tokens',
  'tokens create',
  'tokens list',
  'validate',
]

describe('did you mean', () => {
  it('counts an insertion, a deletion, a substitution and a swap of neighbours as one edit each', () => {
    expect(editDistance('recieve', 'receive')).toBe(1)
    expect(editDistance('aply', 'apply')).toBe(1)
    expect(editDistance('stauts', 'status')).toBe(1)
    expect(editDistance('dev', 'dve')).toBe(1)
    expect(editDistance('', 'get')).toBe(3)
  })

  it('suggests a close name, case and transpositions included, and nothing far', () => {
    expect(closest('aply', ['apply', 'get', 'diff'])).toBe('apply')
    expect(closest('AREA', ['Area'])).toBe('Area')
    expect(closest('Area', ['Area'])).toBeUndefined()
    expect(closest('deploy', ['apply', 'get', 'diff'])).toBeUndefined()
  })

  it('suggests commands, topics included, for the typos people make', () => {
    expect(closest('aply', commands)).toBe('apply')
    expect(closest('tokens craete', commands)).toBe('tokens create')
    expect(closest('conections ad', commands)).toBe('connections add')
    expect(closest('valdate', commands)).toBe('validate')
    expect(closest('lgos', commands)).toBe('logs')
    expect(closest('APPLY', commands)).toBe('apply')
    expect(closest('frobnicate', commands)).toBeUndefined()
    expect(closest('x', commands)).toBeUndefined()
  })

  it('appends the suggestion to a message, or nothing', () => {
    expect(didYouMean('evry', ['every', 'cron'])).toBe('; did you mean "every"?')
    expect(didYouMean('hourly', ['every', 'cron'])).toBe('')
    expect(didYouMean(7, ['every'])).toBe('')
    expect(didYouMean('', ['every'])).toBe('')
  })
})
