/**
 * The AREA language in the store, on both drivers: an apply writes the action's `when` as
 * area_actions.condition and each reaction's phase and policy (on_failure rows after the main
 * ones), the loader gives them back with `needs` made explicit, the export of what was applied
 * applies unchanged, and a changed `when` is an update.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { applyArea } from '../../src/features/areas/apply.js'
import { areaDetails } from '../../src/features/areas/read.js'
import type { AreaDetails } from '../../src/lib/api-types.js'
import { documentsOf, documentsYaml } from '../../src/lib/area-documents.js'
import { normalizeArea } from '../../src/spec/normalize.js'
import { validateSources } from '../../src/spec/validate-files.js'
import { loadAreaByActionId } from '../../src/store/load-area.js'
import { openWorkerHarness, type WorkerHarness } from '../support/daemon/worker-deps.js'
import { drivers } from '../support/db/stores.js'

const fixture = readFileSync(new URL('../fixtures/area-language/every-key.yaml', import.meta.url), 'utf8')

describe.each(drivers)('the AREA language in the store (%s)', (driver) => {
  let harness: WorkerHarness
  beforeAll(async () => {
    harness = await openWorkerHarness(driver)
  })
  afterAll(async () => {
    await harness?.dispose()
  })
  const db = () => harness.testStore.store.db
  const ctx = () => ({ store: harness.testStore.store, registry: harness.registry, secrets: harness.secrets })
  const apply = (document: unknown) =>
    applyArea(ctx(), {
      userId: harness.userId,
      area: normalizeArea(document, harness.registry),
      mode: 'apply',
    })

  it('writes the condition, phases and policies, and the loader reads them back', async () => {
    const applied = await apply(parse(fixture))
    expect(applied.outcome).toBe('created')
    const action = await db()
      .selectFrom('area_actions')
      .select(['id', 'condition'])
      .where('area_id', '=', applied.id)
      .executeTakeFirstOrThrow()
    expect(action.condition).toBe(
      'trigger.body.action == "opened" && trigger.body.labels.exists(l, l.name == "bug")',
    )
    const rows = await db()
      .selectFrom('area_reactions')
      .select(['ref', 'position', 'phase', 'policy'])
      .where('area_id', '=', applied.id)
      .orderBy('position')
      .execute()
    expect(rows.map((r) => [r.position, r.ref, r.phase])).toEqual([
      [0, 'triage', 'main'],
      [1, 'label', 'main'],
      [2, 'announce', 'main'],
      [3, 'close_loop', 'main'],
      [4, 'alert', 'on_failure'],
      [5, 'page', 'on_failure'],
    ])
    expect(rows[0]?.policy).toEqual({
      when: 'size(trigger.body.title) > 0',
      retry: { attempts: 5, backoff: 'exponential', delayMs: 2000, maxDelayMs: 60000 },
      timeoutMs: 30000,
    })
    expect(rows[5]?.policy).toEqual({})

    const loaded = await loadAreaByActionId(db(), action.id, harness.secrets)
    expect(loaded?.action.when).toBe(action.condition)
    expect(loaded?.reactions.map((r) => [r.ref, r.phase, r.policy.needs])).toEqual([
      ['triage', 'main', []],
      ['label', 'main', ['triage']],
      ['announce', 'main', []],
      ['close_loop', 'main', ['label', 'announce']],
      ['alert', 'on_failure', []],
      ['page', 'on_failure', ['alert']],
    ])
    expect(loaded?.reactions[1]?.policy).toMatchObject({
      forEach: 'trigger.body.labels.filter(l, l.name != "bug")',
      continueOnError: true,
    })
    expect(loaded?.reactions[0]?.policy).toMatchObject({ timeoutMs: 30000, retry: { attempts: 5 } })
  })

  it('round-trips through export: the exported YAML keeps every key and applies unchanged', async () => {
    const details = await areaDetails(ctx(), harness.userId, 'bug-triage')
    const yaml = documentsYaml(documentsOf([{ spec: details.spec as AreaDetails['spec'] }]))
    expect(yaml).toContain('for_each: trigger.body.labels.filter(l, l.name != "bug")')
    expect(yaml).toContain('continue_on_error: true')
    expect(yaml).toContain('on_failure:')
    expect(yaml).toContain('max_delay: 1m')
    const { areas, issues } = validateSources([{ name: 'exported.yaml', text: yaml }], harness.registry, {})
    expect(issues).toEqual([])
    const again = await applyArea(ctx(), {
      userId: harness.userId,
      area: areas[0]!.area,
      mode: 'apply',
    })
    expect(again.outcome).toBe('unchanged')
  })

  it('updates a changed when, and clears the condition when the action’s when goes', async () => {
    const document = parse(fixture)
    document.spec.reactions[2].when = 'has(trigger.body.title)'
    delete document.spec.action.when
    document.spec.on_failure.pop()
    const updated = await apply(document)
    expect(updated.outcome).toBe('updated')
    expect(updated.changes).toEqual(expect.arrayContaining(['action', 'reactions', 'on_failure']))
    const action = await db()
      .selectFrom('area_actions')
      .select(['condition'])
      .where('area_id', '=', updated.id)
      .executeTakeFirstOrThrow()
    expect(action.condition).toBeNull()
    const rows = await db()
      .selectFrom('area_reactions')
      .select(['ref', 'policy'])
      .where('area_id', '=', updated.id)
      .orderBy('position')
      .execute()
    expect(rows.map((r) => r.ref)).toEqual(['triage', 'label', 'announce', 'close_loop', 'alert'])
    expect(rows[2]?.policy).toEqual({ when: 'has(trigger.body.title)', needs: [] })
    expect((await apply(document)).outcome).toBe('unchanged')
  })

  it('seals a secret param of an on_failure reaction and shows it redacted, as for any reaction', async () => {
    const document = parse(fixture)
    document.metadata.name = 'with-secret'
    document.spec.on_failure[0].params.headers = { Authorization: 'Bearer on-failure-token' }
    const applied = await apply(document)
    const row = await db()
      .selectFrom('area_reaction_param_values as v')
      .innerJoin('area_reactions as r', 'r.id', 'v.area_reaction_id')
      .select(['v.sealed', 'v.value'])
      .where('r.area_id', '=', applied.id)
      .where('r.ref', '=', 'alert')
      .where('v.name', '=', 'headers')
      .executeTakeFirstOrThrow()
    expect(row.sealed).toMatch(/^v1\./)
    expect(JSON.stringify(row.value)).not.toContain('on-failure-token')
    const details = await areaDetails(ctx(), harness.userId, 'with-secret')
    const shown = JSON.stringify((details.spec as { spec: { on_failure: unknown } }).spec.on_failure)
    expect(shown).toMatch(/"Authorization":"<secret:[0-9a-f]{12}>"/)
    expect(shown).not.toContain('on-failure-token')
  })
})
