import { describe, expect, it } from 'vitest'
import { colorsEnabled, colorsFor } from '../../src/lib/colors.js'

describe('colors', () => {
  it('colours a terminal only', () => {
    expect(colorsEnabled({ isTTY: true }, {})).toBe(true)
    expect(colorsEnabled({ isTTY: false }, {})).toBe(false)
    expect(colorsEnabled({}, {})).toBe(false)
  })

  it('never colours with NO_COLOR set to anything, or on a dumb terminal', () => {
    expect(colorsEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false)
    expect(colorsEnabled({ isTTY: true }, { NO_COLOR: 'false' })).toBe(false)
    expect(colorsEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false)
    // no-color.org: an empty NO_COLOR does not count.
    expect(colorsEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true)
  })

  it('styles text when enabled and returns it unchanged otherwise', () => {
    expect(colorsFor({ isTTY: true }, {}).red('x')).toBe('\u001b[31mx\u001b[39m')
    const plain = colorsFor({ isTTY: true }, { NO_COLOR: '1' })
    expect(plain.enabled).toBe(false)
    expect([plain.red('x'), plain.bold('y'), plain.dim('z')]).toEqual(['x', 'y', 'z'])
  })
})
