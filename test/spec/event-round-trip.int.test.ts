/**
 * A declared webhook event in the store: the CLI reads its files, the server stores the schema
 * and example themselves, and what `area export` prints applies unchanged.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { applyArea } from '../../src/features/areas/apply.js'
import { areaDetails } from '../../src/features/areas/read.js'
import type { AreaDetails } from '../../src/lib/api-types.js'
import { documentsOf, documentsYaml } from '../../src/lib/area-documents.js'
import { validateFiles, validateSources } from '../../src/spec/validate-files.js'
import { openWorkerHarness, type WorkerHarness } from '../support/daemon/worker-deps.js'

const area = [
  'apiVersion: area/v1',
  'kind: Area',
  'metadata: { name: orders }',
  'spec:',
  '  action:',
  '    service: webhook',
  '    action: received',
  '    event: { schema: ./order.schema.json, example: ./order.json }',
  '  reactions:',
  '    - id: post',
  '      service: http',
  '      reaction: request',
  '      params: { url: "https://e.com/{{ trigger.order.id }}" }',
].join('\n')

const schema = {
  type: 'object',
  required: ['order'],
  properties: {
    order: { type: 'object', additionalProperties: false, properties: { id: { type: 'integer' } } },
  },
}

describe('a declared event through apply and export', () => {
  let harness: WorkerHarness
  let dir: string
  beforeAll(async () => {
    harness = await openWorkerHarness('pglite')
    dir = await mkdtemp(join(tmpdir(), 'area-event-store-'))
    await writeFile(join(dir, 'order.schema.json'), JSON.stringify(schema))
    await writeFile(join(dir, 'order.json'), '{ "order": { "id": 42 } }')
    await writeFile(join(dir, 'orders.yaml'), area)
  })
  afterAll(async () => {
    await harness?.dispose()
    await rm(dir, { recursive: true, force: true })
  })
  const ctx = () => ({ store: harness.testStore.store, registry: harness.registry, secrets: harness.secrets })

  it('is stored inline, exported inline, and the export applies unchanged', async () => {
    const read = await validateFiles([join(dir, 'orders.yaml')], harness.registry, {})
    expect(read.issues).toEqual([])
    const first = read.areas[0]?.area
    if (!first) throw new Error('no area')
    expect((await applyArea(ctx(), { userId: harness.userId, area: first, mode: 'apply' })).outcome).toBe(
      'created',
    )

    const details = await areaDetails(ctx(), harness.userId, 'orders')
    const yaml = documentsYaml(documentsOf([{ spec: details.spec as AreaDetails['spec'] }]))
    expect(parse(yaml).spec.action.event).toEqual({ schema, example: { order: { id: 42 } } })

    const exported = validateSources([{ name: 'exported.yaml', text: yaml }], harness.registry, {})
    expect(exported.issues).toEqual([])
    const again = exported.areas[0]?.area
    if (!again) throw new Error('no area')
    expect(again.specHash).toBe(first.specHash)
    expect((await applyArea(ctx(), { userId: harness.userId, area: again, mode: 'apply' })).outcome).toBe(
      'unchanged',
    )
  })
})
