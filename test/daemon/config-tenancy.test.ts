/** The tenancy settings: defaults, the user share derived from the worker's slots, bad values. */
import { describe, expect, it } from 'vitest'
import { readTenancySettings } from '../../src/daemon/config-tenancy.js'

describe('tenancy settings', () => {
  it('defaults to a 1 s and 2 MiB template budget, a 300 s ceiling and a quarter of the worker slots per user', () => {
    const problems: string[] = []
    expect(readTenancySettings({}, problems)).toEqual({
      templateBudgetMs: 1_000,
      templateMaxBytes: 2 * 1024 * 1024,
      templateThreads: 2,
      reactionTimeoutSeconds: 300,
      userConcurrency: 16,
      reactionConcurrency: 4,
      forEachMaxItems: 100,
    })
    expect(readTenancySettings({ AREA_WORKER_CONCURRENCY: '10' }, problems).userConcurrency).toBe(3)
    expect(readTenancySettings({ AREA_WORKER_CONCURRENCY: '1' }, problems).userConcurrency).toBe(1)
    expect(problems).toEqual([])
  })

  it('reports each bad value with its variable and range', () => {
    const problems: string[] = []
    readTenancySettings(
      {
        AREA_USER_CONCURRENCY: '0',
        AREA_TEMPLATE_BUDGET_MS: 'soon',
        AREA_REACTION_CONCURRENCY: '0',
        AREA_FOR_EACH_MAX_ITEMS: 'many',
      },
      problems,
    )
    expect(problems).toEqual([
      'AREA_TEMPLATE_BUDGET_MS must be a whole number from 10 to 60000 (got "soon")',
      'AREA_USER_CONCURRENCY must be a whole number from 1 to 100000 (got "0")',
      'AREA_REACTION_CONCURRENCY must be a whole number from 1 to 64 (got "0")',
      'AREA_FOR_EACH_MAX_ITEMS must be a whole number from 1 to 10000 (got "many")',
    ])
  })
})
