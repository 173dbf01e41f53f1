import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import ajvFormats from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { runCli } from '../support/cli/run-cli.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'area-cli-schema-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('area schema (the real binary)', () => {
  it('prints a draft-07 JSON Schema that accepts areas.example.yaml and rejects unknown keys', async () => {
    const { code, stdout, stderr } = await runCli(['schema'])
    expect(code).toBe(0)
    expect(stderr).toBe('')
    const schema = JSON.parse(stdout)
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#')
    const ajv = new Ajv({ allErrors: true })
    ajvFormats.default(ajv)
    const validate = ajv.compile(schema)
    const example = await readFile(new URL('../../areas.example.yaml', import.meta.url), 'utf8')
    for (const document of parseAllDocuments(example)) {
      expect(validate(document.toJS()), JSON.stringify(validate.errors)).toBe(true)
    }
    const typo = parseAllDocuments(example)[0]?.toJS()
    typo.spec.reactions[0].parms = typo.spec.reactions[0].params
    expect(validate(typo)).toBe(false)
    expect(validate.errors?.[0]).toMatchObject({
      instancePath: '/spec/reactions/0',
      params: { additionalProperty: 'parms' },
    })
  })

  it('writes the schema to --output, saying how to use it, or { output, bytes } with --json', async () => {
    const output = join(dir, 'area.schema.json')
    const human = await runCli(['schema', '--output', output])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(`Wrote the AREA JSON Schema to ${output}.`)
    expect(human.stdout).toContain(`# yaml-language-server: $schema=${output}`)
    const written = await readFile(output, 'utf8')
    expect(JSON.parse(written).title).toBe('AREA')

    const json = await runCli(['schema', '--output', output, '--json'])
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual({ output, bytes: Buffer.byteLength(written) })
  })

  it('exits 1 with the --json error shape when the file cannot be written', async () => {
    const output = join(dir, 'missing-dir', 'area.schema.json')
    const { code, stdout, stderr } = await runCli(['schema', '--output', output, '--json'])
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(JSON.parse(stderr)).toEqual({
      error: { code: 'write_failed', message: expect.stringContaining(`cannot write ${output}: ENOENT`) },
    })
  })
})
