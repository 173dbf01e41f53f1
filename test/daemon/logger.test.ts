import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../src/daemon/logger.js'

describe('createLogger', () => {
  it('redacts secret params, such as a webhook URL, wherever a line carries them', () => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'))
        done()
      },
    })
    const logger = createLogger('info', sink)
    const url = 'https://discord.com/api/webhooks/1/secret-token'
    logger.info({ webhook_url: url, params: { webhook_url: url, content: 'hi' } }, 'posting')
    expect(lines.join('')).not.toContain('secret-token')
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      webhook_url: '[redacted]',
      params: { webhook_url: '[redacted]', content: 'hi' },
    })
  })
})
