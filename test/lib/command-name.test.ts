/** Hints name the CLI the way it was started, so that copying one works (command-name.ts). */
import { describe, expect, it } from 'vitest'
import { commandName, withCommandName } from '../../src/lib/command-name.js'

describe('commandName', () => {
  it('is `area` for the installed command, whatever its directory', () => {
    expect(commandName({ env: {}, script: '/usr/local/bin/area', cwd: '/home/me' })).toBe('area')
    expect(commandName({ env: { npm_command: 'run-script' }, script: '/opt/bin/area', cwd: '/' })).toBe(
      'area',
    )
  })

  it('is `npx area` under npm exec', () => {
    expect(
      commandName({ env: { npm_command: 'exec' }, script: '/src/area/bin/run.js', cwd: '/src/area' }),
    ).toBe('npx area')
  })

  it('is the script path, relative when it is below the working directory, when run by path', () => {
    expect(commandName({ env: {}, script: '/src/area/bin/run.js', cwd: '/src/area' })).toBe('./bin/run.js')
    expect(commandName({ env: {}, script: '/src/area/bin/dev.js', cwd: '/src/area' })).toBe('./bin/dev.js')
    expect(commandName({ env: {}, script: '/src/area/bin/dev.js', cwd: '/tmp' })).toBe('/src/area/bin/dev.js')
  })
})

describe('withCommandName', () => {
  it('rewrites the quoted commands only', () => {
    const text = 'not logged in: run `area login` (or `area`), as area does; see `areas`'
    expect(withCommandName(text, 'npx area')).toBe(
      'not logged in: run `npx area login` (or `npx area`), as area does; see `areas`',
    )
    expect(withCommandName(text, 'area')).toBe(text)
  })
})
