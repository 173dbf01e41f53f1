import { describe, expect, it } from 'vitest'
import { createRegistry } from '../../src/engine/registry.js'
import { reactionLines } from '../../src/lib/describe-reactions.js'
import { builtinServices } from '../../src/services/index.js'
import { validateFiles } from '../../src/spec/validate-files.js'

describe('reactionLines (area describe)', () => {
  it('shows each reaction with its when, for_each, needs and policy, then the on_failure list', async () => {
    const registry = createRegistry(builtinServices)
    const { areas } = await validateFiles(['test/fixtures/area-language/every-key.yaml'], registry, {})
    const document = areas[0]?.area.document
    if (!document) throw new Error('the fixture should validate')
    expect(reactionLines(document)).toEqual({
      main: [
        'triage: http.request',
        '    when: size(trigger.body.title) > 0',
        '    retry: 5 attempts, exponential, delay 2s, max 1m · timeout: 30s',
        'label: http.request',
        '    needs: triage',
        '    for_each: trigger.body.labels.filter(l, l.name != "bug")',
        '    continue_on_error',
        'announce: http.request',
        '    needs: (none: starts at once)',
        'close_loop: http.request',
        '    needs: label, announce',
      ],
      onFailure: ['alert: http.request', '    when: error.attempt >= 1', 'page: http.request'],
    })
  })
})
