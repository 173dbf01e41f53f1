// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the AREA file's own syntax, written literally here
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_FILE_BYTES } from '../../src/spec/limits.js'
import { loadAreaFiles, loadSources } from '../../src/spec/load.js'
import { readSources } from '../../src/spec/read-sources.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'area-load-'))
  await mkdir(join(dir, 'areas/nested'), { recursive: true })
  await mkdir(join(dir, 'areas/.hidden'), { recursive: true })
  await writeFile(join(dir, 'areas/b.yml'), 'b: 1\n')
  await writeFile(join(dir, 'areas/a.yaml'), 'a: 1\n')
  await writeFile(join(dir, 'areas/C.YAML'), 'c: 1\n')
  await writeFile(join(dir, 'areas/notes.txt'), 'not yaml')
  await writeFile(join(dir, 'areas/.secret.yaml'), 'hidden: 1\n')
  await writeFile(join(dir, 'areas/nested/d.yaml'), 'd: 1\n')
  await writeFile(join(dir, 'areas/nested/d.test.yaml'), 'area: d\n')
  await writeFile(join(dir, 'areas/b.test.yml'), 'area: b\n')
  await writeFile(join(dir, 'areas/.hidden/e.yaml'), 'e: 1\n')
  await symlink(join(dir, 'areas/a.yaml'), join(dir, 'areas/z-link.yaml'))
  await mkdir(join(dir, 'empty'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const names = (sources: { name: string }[]) => sources.map((s) => s.name.slice(dir.length + 1))

describe('readSources', () => {
  it('reads a directory one level deep, yaml files only, in byte order of names, without dotfiles', async () => {
    const { sources, issues } = await readSources([join(dir, 'areas')])
    expect(issues).toEqual([])
    // z-link.yaml points at a.yaml, already read: one file is read once.
    expect(names(sources)).toEqual(['areas/C.YAML', 'areas/a.yaml', 'areas/b.yml'])
    expect(sources[1]?.text).toBe('a: 1\n')
  })

  it('descends into subdirectories with recursive, still skipping hidden ones', async () => {
    const { sources } = await readSources([join(dir, 'areas')], { recursive: true })
    expect(names(sources)).toEqual(['areas/C.YAML', 'areas/a.yaml', 'areas/b.yml', 'areas/nested/d.yaml'])
  })

  it('lists test files (*.test.yaml) in directories only for area test; named, they are read', async () => {
    const areas = await readSources([join(dir, 'areas')], { recursive: true })
    expect(names(areas.sources).filter((n) => n.includes('.test.'))).toEqual([])
    const all = await readSources([join(dir, 'areas')], { recursive: true, testFiles: true })
    expect(names(all.sources)).toEqual([
      'areas/C.YAML',
      'areas/a.yaml',
      'areas/b.test.yml',
      'areas/b.yml',
      'areas/nested/d.test.yaml',
      'areas/nested/d.yaml',
    ])
    const named = await readSources([join(dir, 'areas/b.test.yml')])
    expect(names(named.sources)).toEqual(['areas/b.test.yml'])
  })

  it('reads a named file whatever its extension, once even when named twice', async () => {
    const file = join(dir, 'areas/notes.txt')
    const { sources } = await readSources([file, join(dir, 'areas/a.yaml'), file])
    expect(names(sources)).toEqual(['areas/notes.txt', 'areas/a.yaml'])
  })

  it('reports missing paths and directories without yaml files, and keeps reading the others', async () => {
    const missing = join(dir, 'nope.yaml')
    const { sources, issues, files } = await readSources([
      missing,
      join(dir, 'empty'),
      join(dir, 'areas/a.yaml'),
    ])
    expect(names(sources)).toEqual(['areas/a.yaml'])
    expect(issues).toEqual([
      {
        file: missing,
        document: null,
        line: null,
        column: null,
        path: '',
        message: 'no such file or directory',
      },
      {
        file: join(dir, 'empty'),
        document: null,
        line: null,
        column: null,
        path: '',
        message: 'no .yaml or .yml files in this directory (add --recursive to read subdirectories)',
      },
    ])
    expect(files).toEqual([missing, join(dir, 'empty'), join(dir, 'areas/a.yaml')])
  })

  it('reads - from stdin once, named <stdin>', async () => {
    const stdin = Readable.from([Buffer.from('a: '), Buffer.from('1\n')])
    const { sources } = await readSources(['-', '-'], { stdin })
    expect(sources).toEqual([{ name: '<stdin>', text: 'a: 1\n' }])
  })

  it('refuses files and stdin over the size limit without reading them whole', async () => {
    const big = join(dir, 'big.yaml')
    await writeFile(big, `a: "${'x'.repeat(MAX_FILE_BYTES)}"\n`)
    const { sources, issues } = await readSources([big])
    expect(sources).toEqual([])
    expect(issues[0]?.message).toBe(
      'the file is 1.0 MiB; AREA files are limited to 1 MiB each: split it into several files',
    )
    let pulled = 0
    const endless = (async function* () {
      for (;;) {
        pulled++
        yield Buffer.alloc(64 * 1024, 0x61)
      }
    })()
    const fromStdin = await readSources(['-'], { stdin: endless })
    expect(fromStdin.issues[0]?.message).toContain('stdin is more than 1 MiB')
    expect(pulled).toBe(17)
  })

  it('refuses text that is not UTF-8', async () => {
    const file = join(dir, 'latin1.yaml')
    await writeFile(file, Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]))
    const { issues } = await readSources([file])
    expect(issues[0]?.message).toBe('is not UTF-8 text: save the file as UTF-8')
  })
})

describe('loadSources', () => {
  const load = (text: string, env: Record<string, string> = {}) =>
    loadSources([{ name: 'f.yaml', text }], env)

  it('loads every document with its number, skipping empty ones, and resolves variables', () => {
    const result = load('# only a comment\n---\na: ${A:-1}\n---\n---\nb: two\n...\n')
    expect(result.issues).toEqual([])
    expect(result.documents.map((d) => [d.index, d.value, d.position])).toEqual([
      // The comment before the first --- belongs to the stream, not to a document.
      [1, { a: 1 }, { line: 3, column: 1 }],
      [3, { b: 'two' }, { line: 6, column: 1 }],
    ])
  })

  it('refuses documents that are not mappings', () => {
    const result = load('- a\n---\njust text\n')
    expect(result.documents).toEqual([])
    expect(result.issues.map((i) => [i.document, i.line, i.column, i.message])).toEqual([
      [
        1,
        1,
        1,
        'document is a list, not an AREA: expected a mapping with apiVersion, kind, metadata and spec',
      ],
      [
        2,
        3,
        1,
        'document is the string "just text", not an AREA: expected a mapping with apiVersion, kind, metadata and spec',
      ],
    ])
  })

  it('reports YAML syntax errors with line and column and skips that document only', () => {
    const result = load('a: 1\n---\nb: [1, 2\nc: 3\n---\nd: e: f\n---\ne: 5\n')
    expect(result.documents.map((d) => d.value)).toEqual([{ a: 1 }, { e: 5 }])
    expect(result.issues.every((i) => i.message.startsWith('YAML syntax: '))).toBe(true)
    expect(result.issues.map((i) => i.document)).toContain(2)
    expect(result.issues.map((i) => i.document)).toContain(3)
    expect(result.issues.find((i) => i.document === 2)).toMatchObject({ line: 4, column: 1 })
    expect(result.issues.find((i) => i.document === 3)).toMatchObject({
      line: 6,
      column: 4,
      message: 'YAML syntax: Nested mappings are not allowed in compact mappings',
    })
  })

  it('refuses duplicate keys, naming the line of the first', () => {
    const result = load('a: 1\nb:\n  x: 1\n  y: 2\n  x: 3\n')
    expect(result.documents).toEqual([])
    expect(result.issues).toEqual([
      {
        file: 'f.yaml',
        document: 1,
        line: 5,
        column: 3,
        path: '',
        message: 'duplicate key "x": it is already set on line 3; keep one',
      },
    ])
  })

  it('refuses keys that are not text, and YAML tags', () => {
    expect(load('? [a, b]\n: 1\n').issues[0]?.message).toBe(
      'keys must be plain text, not lists, mappings or empty',
    )
    const tagged = load('a: !!binary aGVsbG8=\n')
    expect(tagged.documents).toEqual([])
    expect(tagged.issues[0]).toMatchObject({
      line: 1,
      column: 13,
      message: 'the tag !!binary is not supported: AREA files use plain YAML values, without tags',
    })
    expect(load('a: !custom x\n').issues[0]?.message).toBe(
      'Unresolved tag: !custom; AREA files use plain YAML values, without tags',
    )
  })

  it('reads YAML 1.2 core values even under a %YAML 1.1 directive', () => {
    const result = load('%YAML 1.1\n---\na: yes\nb: 2001-12-14\n')
    expect(result.documents[0]?.value).toEqual({ a: 'yes', b: '2001-12-14' })
  })

  it('stops an alias bomb at the alias budget', () => {
    const bomb = [
      'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
    ].join('\n')
    const started = Date.now()
    const result = load(`${bomb}\n`)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(result.documents).toEqual([])
    expect(result.issues[0]).toMatchObject({ document: 1, line: 1, column: 1 })
    expect(result.issues[0]?.message).toContain('aliases (*name) expand to too many values')
  })

  it('keeps ordinary aliases', () => {
    const result = load('h: &h { X-Team: infra }\nuse: *h\n')
    expect(result.documents[0]?.value).toEqual({ h: { 'X-Team': 'infra' }, use: { 'X-Team': 'infra' } })
  })

  it('refuses deep flow nesting and token floods quickly: the parser gets no token past a limit', () => {
    const started = Date.now()
    const deep = load(`a: ${'{'.repeat(100_000)}${'}'.repeat(100_000)}\n`)
    expect(deep.issues).toEqual([
      {
        file: 'f.yaml',
        document: null,
        line: 1,
        column: 68,
        path: '',
        message: '[ ] and { } are nested more than 64 levels deep; AREA files need a few',
      },
    ])
    const flood = load(Array.from({ length: 60_000 }, (_, i) => `k${i}: 1`).join('\n'))
    expect(flood.issues[0]?.message).toBe(
      'the file has more than 100000 YAML tokens; split it into several files',
    )
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('refuses a name used twice, across files, naming both places', () => {
    const doc = (name: string) => `apiVersion: area/v1\nkind: Area\nmetadata:\n  name: ${name}\n`
    const result = loadSources(
      [
        { name: 'one.yaml', text: `${doc('alpha')}---\n${doc('beta')}` },
        { name: 'two.yaml', text: `# comment\n${doc('beta')}` },
      ],
      {},
    )
    expect(result.issues).toEqual([
      {
        file: 'two.yaml',
        document: 1,
        line: 5,
        column: 9,
        path: '/metadata/name',
        message:
          'the name "beta" is already used at one.yaml:9:9 (document 2): names are the apply key and must be unique; rename one',
      },
    ])
  })

  it('locates fields: the value of a scalar, the key of a collection or unknown field, the parent of a missing one', () => {
    const [document] = load(
      'spec:\n  action:\n    service: timer\n    params:\n      interval: 5\n  reactions: []\n',
    ).documents
    expect(document?.locate('/spec/action/service')).toEqual({ line: 3, column: 14 })
    expect(document?.locate('/spec/action/service', 'key')).toEqual({ line: 3, column: 5 })
    expect(document?.locate('/spec/action/params')).toEqual({ line: 4, column: 5 })
    expect(document?.locate('/spec/action/params/interval')).toEqual({ line: 5, column: 17 })
    expect(document?.locate('/spec/action/action')).toEqual({ line: 2, column: 3 })
    expect(document?.locate('/spec/reactions/0/id')).toEqual({ line: 6, column: 3 })
    expect(document?.locate('/metadata')).toEqual({ line: 1, column: 1 })
  })
})

describe('loadAreaFiles', () => {
  it('reads and loads in one call, reporting read problems with the others', async () => {
    const result = await loadAreaFiles([join(dir, 'areas/a.yaml'), join(dir, 'missing.yaml')], { env: {} })
    expect(result.documents.map((d) => d.value)).toEqual([{ a: 1 }])
    expect(result.issues.map((i) => i.message)).toEqual(['no such file or directory'])
    expect(result.files).toEqual([join(dir, 'areas/a.yaml'), join(dir, 'missing.yaml')])
  })
})
