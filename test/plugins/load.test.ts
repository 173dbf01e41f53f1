/**
 * The parts of plugin loading that need no process: AREA_PLUGINS parsing, resolving a folder or a
 * package in node_modules to its entry, the declaration checks and the id clash rule. The
 * binary's side (imports, messages at `validate` and `serve`) is test/commands/plugins.test.ts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Type } from '@sinclair/typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  defineAction,
  defineReaction,
  defineService,
  type ServiceDefinition,
} from '../../src/engine/define.js'
import { checkServiceDeclaration } from '../../src/plugins/check-service.js'
import { pluginSpecs } from '../../src/plugins/plugin-specs.js'
import { resolvePlugin } from '../../src/plugins/resolve-plugin.js'
import { withPlugins } from '../../src/plugins/service-registry.js'
import { builtinServices } from '../../src/services/index.js'

let dir: string
const file = async (path: string, text: string) => {
  await mkdir(join(dir, path, '..'), { recursive: true })
  await writeFile(join(dir, path), text)
}
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'area-plugin-resolve-'))
  await file(
    'node_modules/@acme/area-jira/package.json',
    JSON.stringify({ exports: { '.': { types: './x.d.ts', import: './dist/jira.js' } } }),
  )
  await file('node_modules/@acme/area-jira/dist/jira.js', '')
  await file('app/plugins/mains/package.json', JSON.stringify({ main: 'lib/main.js' }))
  await file('app/plugins/mains/lib/main.js', '')
  await file('app/plugins/bare/index.js', '')
  await file('app/plugins/unbuilt/package.json', JSON.stringify({ exports: './dist/index.js' }))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('AREA_PLUGINS and resolving', () => {
  it('splits the list on commas, ignoring blanks; unset is none', () => {
    expect(pluginSpecs({ AREA_PLUGINS: ' ./a , @acme/b,,' })).toEqual(['./a', '@acme/b'])
    expect(pluginSpecs({})).toEqual([])
  })

  it('finds a package in node_modules above the working directory, by its exports', () => {
    expect(resolvePlugin('@acme/area-jira', join(dir, 'app/plugins'))).toBe(
      join(dir, 'node_modules/@acme/area-jira/dist/jira.js'),
    )
  })

  it('takes a folder by main, else index.js, and a file as is', () => {
    const cwd = join(dir, 'app')
    expect(resolvePlugin('./plugins/mains', cwd)).toBe(join(cwd, 'plugins/mains/lib/main.js'))
    expect(resolvePlugin('./plugins/bare', cwd)).toBe(join(cwd, 'plugins/bare/index.js'))
    expect(resolvePlugin(join(cwd, 'plugins/bare/index.js'), '/')).toBe(join(cwd, 'plugins/bare/index.js'))
  })

  it('says what to do when the package, the folder or the built entry is missing', () => {
    const cwd = join(dir, 'app')
    expect(() => resolvePlugin('area-nothing', cwd)).toThrow(
      /no package "area-nothing" in node_modules from .*app up: install it there \(npm install area-nothing\)/,
    )
    expect(() => resolvePlugin('./plugins/gone', cwd)).toThrow(/plugins\/gone does not exist/)
    expect(() => resolvePlugin('./plugins/unbuilt', cwd)).toThrow(
      /its entry .*unbuilt\/dist\/index.js does not exist: build the plugin/,
    )
  })
})

const service = (overrides: Partial<ServiceDefinition> = {}): ServiceDefinition =>
  defineService({
    id: 'forge',
    name: 'Forge',
    description: 'A test service',
    auth: { kind: 'none' },
    actions: [
      defineAction({
        id: 'tick',
        name: 'Tick',
        description: 'Polls',
        params: Type.Object({}, { additionalProperties: false }),
        event: Type.Object({ n: Type.Integer() }),
        exampleEvent: { n: 1 },
        polling: { defaultIntervalSeconds: 60, poll: async () => ({ items: [] }) },
      }),
    ],
    reactions: [],
    ...overrides,
  })

describe('checking a declaration', () => {
  it('accepts a service as the built-ins are written, and every built-in', () => {
    expect(checkServiceDeclaration(service())).toEqual([])
    for (const builtin of builtinServices) expect(checkServiceDeclaration(builtin), builtin.id).toEqual([])
  })

  it('names each field at fault', () => {
    const issues = checkServiceDeclaration({
      ...service({ id: 'Forge!' }),
      actions: [
        { ...service().actions[0], exampleEvent: { n: 'one' }, params: Type.Object({ a: Type.String() }) },
        { ...service().actions[0], polling: { defaultIntervalSeconds: 0 } },
      ],
      reactions: [
        defineReaction({
          id: 'send',
          name: '',
          description: 'x',
          params: Type.Object({}, { additionalProperties: false }),
        } as never),
      ],
    })
    expect(issues.map((i) => i.path)).toEqual([
      'id',
      'actions[0].params',
      'actions[0].params.a',
      'actions[0].exampleEvent.n',
      'actions[1].polling.poll',
      'actions[1].polling.defaultIntervalSeconds',
      'reactions[0].name',
      'reactions[0].run',
      'actions[1].id',
    ])
    expect(checkServiceDeclaration(undefined)).toEqual([
      { path: '', message: 'must be a service object (the value defineService returns)' },
    ])
  })
})

describe('registering', () => {
  it('adds plugin services after the built-ins; an id taken twice names both owners', () => {
    const plugin = (spec: string, services: ServiceDefinition[]) => ({
      spec,
      file: `/p/${spec}.js`,
      services,
    })
    expect(
      withPlugins(builtinServices, [plugin('forge', [service()])])
        .map((s) => s.id)
        .at(-1),
    ).toBe('forge')
    expect(() => withPlugins(builtinServices, [plugin('a', [service()]), plugin('b', [service()])])).toThrow(
      'plugin "b" (/p/b.js) declares service "forge", already declared by plugin "a" (/p/a.js)',
    )
    expect(() => withPlugins(builtinServices, [plugin('c', [service({ id: 'rss' })])])).toThrow(
      'declares service "rss", already declared by the built-in service "rss"',
    )
  })
})
