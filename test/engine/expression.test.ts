import { describe, expect, it } from 'vitest'
import { compileExpression, EXPRESSION_LIMITS, ExpressionError } from '../../src/engine/expression.js'

const trigger = { action: 'opened', count: 3, price: 2.5, labels: [{ name: 'bug' }, { name: 'ui' }] }

describe('compileExpression', () => {
  it.each([
    ['trigger.action == "opened"', true],
    ['trigger.count + 1 == 4', true],
    ['trigger.price * 2.0 == 5.0', true],
    ['trigger.labels.exists(l, l.name == "bug")', true],
    ['has(trigger.missing)', false],
    ['trigger.?missing.orValue("none") == "none"', true],
    ['trigger.action.startsWith("op") && size(trigger.labels) == 2', true],
  ])('evaluates the when expression %s', (source, expected) => {
    expect(compileExpression(source, 'when').evaluate({ trigger })).toBe(expected)
  })

  it('gives for_each a list of JSON values, whole numbers back as numbers', () => {
    const list = compileExpression('trigger.labels.map(l, {"n": l.name, "i": trigger.count})', 'for_each')
    expect(list.evaluate({ trigger })).toEqual([
      { n: 'bug', i: 3 },
      { n: 'ui', i: 3 },
    ])
  })

  it('reads item and index', () => {
    expect(compileExpression('index == 1 && item == "b"', 'when').evaluate({ item: 'b', index: 1 })).toBe(
      true,
    )
  })

  it('refuses an expression that does not parse, with the offset of the fault', () => {
    const error = catchError(() => compileExpression('trigger.action ==', 'when'))
    expect(error.message).toMatch(/does not parse/)
    expect(error.offset).toBe(17)
  })

  it('refuses an unknown variable, naming it', () => {
    expect(() => compileExpression('trigger.a == 1 && nope', 'when')).toThrow(
      'reads unknown variable "nope" (it can read: trigger, reactions, area, item, index, error)',
    )
    expect(() => compileExpression('trigger.a == 1 && triger.b', 'when')).toThrow(/did you mean "trigger"/)
  })

  it('reads only the variables of its place, and says why another is not there', () => {
    expect(() => compileExpression('item.open', 'when', ['trigger', 'reactions', 'area'])).toThrow(
      /reads "item", which it cannot read here: item and index exist only in the params of a for_each reaction/,
    )
    expect(() => compileExpression('error.attempt > 1', 'when', ['trigger', 'area'])).toThrow(
      /reads "error", which it cannot read here: error exists only in on_failure reactions \(it can read: trigger, area\)/,
    )
    let offset: number | undefined
    try {
      compileExpression('trigger.a && index == 0', 'when', ['trigger'])
    } catch (error) {
      offset = (error as ExpressionError).offset
    }
    expect(offset).toBe(13)
    expect(
      compileExpression('error.attempt > 1', 'when', ['error']).evaluate({ error: { attempt: 2 } }),
    ).toBe(true)
  })

  it('refuses a when that cannot be a bool and a for_each that cannot be a list', () => {
    expect(() => compileExpression('1 + 2', 'when')).toThrow(/must give a bool; this one gives an int/)
    expect(() => compileExpression('"x"', 'for_each')).toThrow(/must give a list/)
  })

  it('refuses an empty or over-long expression', () => {
    expect(() => compileExpression('  ', 'when')).toThrow(/empty/)
    expect(() => compileExpression(`${'true && '.repeat(300)}true`, 'when')).toThrow(
      new RegExp(`limit of ${EXPRESSION_LIMITS.maxLength}`),
    )
  })

  it('refuses an expression past the node limit before it can run', () => {
    const source = Array.from({ length: 250 }, (_, i) => `trigger.a${i} == ${i}`).join(' || ')
    expect(source.length).toBeLessThan(EXPRESSION_LIMITS.maxLength * 3)
    expect(() => compileExpression(source.slice(0, EXPRESSION_LIMITS.maxLength), 'when')).toThrow(
      ExpressionError,
    )
  })

  it('says at run time when a dyn value is not of the kind expected', () => {
    const when = compileExpression('trigger.action', 'when')
    expect(() => when.evaluate({ trigger })).toThrow(/gave string "opened", not true or false/)
    const missing = compileExpression('trigger.nothing == 1', 'when')
    expect(() => missing.evaluate({ trigger })).toThrow(/No such key: nothing/)
  })
})

function catchError(run: () => unknown): ExpressionError {
  try {
    run()
  } catch (error) {
    if (error instanceof ExpressionError) return error
    throw error
  }
  throw new Error('expected an ExpressionError')
}
