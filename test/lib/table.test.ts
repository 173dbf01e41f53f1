import { describe, expect, it } from 'vitest'
import { formatTable } from '../../src/lib/table.js'

describe('formatTable', () => {
  it('aligns columns on the widest cell, without trailing spaces', () => {
    expect(
      formatTable(
        ['NAME', 'TRIGGER', 'X'],
        [
          ['heartbeat', 'every 1m', ''],
          ['a', 'webhook', 'end'],
        ],
      ),
    ).toBe(['NAME       TRIGGER   X', 'heartbeat  every 1m', 'a          webhook   end'].join('\n'))
  })

  it('ignores colour codes and counts characters, not bytes, when aligning', () => {
    const red = (s: string) => `\u001b[31m${s}\u001b[39m`
    const text = formatTable(
      ['A', 'B'],
      [
        [red('ab'), 'x'],
        ['✓é', 'y'],
      ],
      { header: (h) => `<${h}>` },
    )
    expect(text.split('\n')).toEqual(['<A   B>', `${red('ab')}  x`, '✓é  y'])
  })
})
