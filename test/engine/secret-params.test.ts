import { Type } from '@sinclair/typebox'
import { describe, expect, it } from 'vitest'
import type { Issue } from '../../src/engine/errors.js'
import { validateParams } from '../../src/engine/params.js'
import { createRegistry } from '../../src/engine/registry.js'
import {
  collectSecrets,
  hasSecrets,
  hideSecrets,
  redactParams,
  restoreSecrets,
} from '../../src/engine/secret-params.js'
import type { JsonValue } from '../../src/engine/types.js'
import { headersParam } from '../../src/net/request-params.js'
import { builtinServices } from '../../src/services/index.js'
import { normalizeArea } from '../../src/spec/normalize.js'

const schema = Type.Object({
  webhook_url: Type.String({ format: 'uri', pattern: '^https?://', writeOnly: true }),
  content: Type.Optional(Type.String()),
  headers: headersParam,
})
const fingerprint = (text: string) => text.length.toString(16).padStart(12, '0')

describe('secret params', () => {
  it('are found in the schema: writeOnly on a property or on the values of a record', () => {
    expect(hasSecrets(schema)).toBe(true)
    expect(hasSecrets(Type.Object({ headers: headersParam }))).toBe(true)
    expect(hasSecrets(Type.Object({ content: Type.String() }))).toBe(false)
  })

  it('the built-in services mark the Discord and Slack webhook URLs and the HTTP header values', () => {
    const registry = createRegistry(builtinServices)
    expect(hasSecrets(registry.reaction('discord', 'send_message')?.params)).toBe(true)
    expect(hasSecrets(registry.reaction('slack', 'post_message')?.params)).toBe(true)
    expect(hasSecrets(registry.reaction('http', 'request')?.params)).toBe(true)
    expect(hasSecrets(registry.action('http', 'json_changed')?.params)).toBe(true)
    expect(hasSecrets(registry.reaction('github', 'create_issue')?.params)).toBe(false)
  })

  it('redact to placeholders, leave the rest and placeholders as they are', () => {
    const params = {
      webhook_url: 'https://hooks.example/T1/secret',
      content: 'hi',
      headers: { Authorization: 'Bearer x', 'X-Id': '<secret:00000000000a>' },
    }
    expect(redactParams(schema, params, fingerprint)).toEqual({
      webhook_url: '<secret:00000000001f>',
      content: 'hi',
      headers: { Authorization: '<secret:000000000008>', 'X-Id': '<secret:00000000000a>' },
    })
    expect(hideSecrets(schema, params)).toEqual({
      webhook_url: '<secret>',
      content: 'hi',
      headers: { Authorization: '<secret>', 'X-Id': '<secret>' },
    })
  })

  it('leave a bare {{ secrets.NAME }} as written: it names a secret and holds none', () => {
    const params = {
      webhook_url: '{{ secrets.DISCORD_URL }}',
      headers: { 'X-Key': ' {{- secrets.API_KEY -}} ', Authorization: 'Bearer {{ secrets.API_KEY }}' },
    }
    expect(redactParams(schema, params, fingerprint)).toEqual({
      webhook_url: '{{ secrets.DISCORD_URL }}',
      headers: {
        'X-Key': ' {{- secrets.API_KEY -}} ',
        // Text around the reference may be a secret of its own: the whole value is sealed.
        Authorization: '<secret:00000000001c>',
      },
    })
  })

  it('restore from the secrets an AREA holds, and report a placeholder it does not hold', () => {
    const held = new Map<string, JsonValue>()
    collectSecrets(
      { webhook_url: '<secret:aaaaaaaaaaaa>', content: 'hi' },
      { webhook_url: 'https://hooks.example/T1/secret', content: 'hi' },
      held,
    )
    expect([...held]).toEqual([['aaaaaaaaaaaa', 'https://hooks.example/T1/secret']])
    const issues: Issue[] = []
    const restored = restoreSecrets(
      schema,
      { webhook_url: '<secret:aaaaaaaaaaaa>', headers: { A: '<secret:bbbbbbbbbbbb>' } },
      held,
      '/spec/reactions/0/params',
      issues,
    )
    expect(restored.webhook_url).toBe('https://hooks.example/T1/secret')
    expect(issues).toEqual([
      {
        path: '/spec/reactions/0/params/headers/A',
        message: expect.stringContaining('<secret:bbbbbbbbbbbb>'),
      },
    ])
  })

  it('a placeholder is valid in a file only where a secret goes, and never at run time', () => {
    const secret = { webhook_url: '<secret:aaaaaaaaaaaa>' }
    expect(validateParams(schema, secret, '', 'apply').ok).toBe(true)
    expect(validateParams(schema, secret, '', 'trigger').ok).toBe(true)
    expect(validateParams(schema, secret, '', 'run').ok).toBe(false)
    const elsewhere = Type.Object({ url: Type.String({ format: 'uri' }) })
    expect(validateParams(elsewhere, { url: '<secret:aaaaaaaaaaaa>' }, '', 'apply').ok).toBe(false)
  })

  it('an exported document with placeholders passes `area validate` offline', () => {
    const registry = createRegistry(builtinServices)
    const area = normalizeArea(
      {
        apiVersion: 'area/v1',
        kind: 'Area',
        metadata: { name: 'exported' },
        spec: {
          action: {
            service: 'http',
            action: 'json_changed',
            params: {
              url: 'https://api.example/status',
              headers: { Authorization: '<secret:aaaaaaaaaaaa>' },
            },
          },
          reactions: [
            {
              id: 'post',
              service: 'discord',
              reaction: 'send_message',
              params: { webhook_url: '<secret:bbbbbbbbbbbb>', content: 'changed' },
            },
          ],
        },
      },
      registry,
    )
    expect(area.reactions[0]?.params.webhook_url).toBe('<secret:bbbbbbbbbbbb>')
  })
})
