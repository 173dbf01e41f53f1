import { describe, expect, it } from 'vitest'
import { createRegistry } from '../../src/engine/registry.js'
import { reactionLines, serverRetryText } from '../../src/lib/describe-reactions.js'
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

  it("shows a reaction's retry as it applies: its keys, the server's for the rest, within its ceilings", () => {
    const server = { attempts: 3, maxAttempts: 4, backoff: 'fixed' as const, delay: '2s', maxDelay: '30s' }
    expect(serverRetryText(server)).toBe('3 attempts, fixed, delay 2s, max 30s')
    const document = {
      apiVersion: 'area/v1' as const,
      kind: 'Area' as const,
      metadata: { name: 'x' },
      spec: {
        action: { service: 'webhook', action: 'received' },
        reactions: [
          { id: 'own', service: 'http', reaction: 'request', retry: { attempts: 9, max_delay: '1m' } },
          {
            id: 'some',
            service: 'http',
            reaction: 'request',
            retry: { backoff: 'exponential' as const, delay: '5s' },
          },
          { id: 'none', service: 'http', reaction: 'request' },
        ],
      },
    }
    expect(reactionLines(document, server).main).toEqual([
      'own: http.request',
      '    retry: 4 attempts, fixed, delay 2s, max 30s',
      'some: http.request',
      '    retry: 3 attempts, exponential, delay 5s, max 30s',
      'none: http.request',
    ])
  })
})
