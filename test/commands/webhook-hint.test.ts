/**
 * The signed curl snippet that `area dev` and `area describe` print, run by a real shell
 * against a local server: the request it sends must verify as a Standard Webhooks signature.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage } from 'node:http'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { signedCurlExample } from '../../src/lib/webhook-hint.js'
import { verifyStandardWebhook } from '../../src/services/webhook/standard-webhooks.js'

describe('signedCurlExample', () => {
  it('sends a request whose signature verifies, as printed', async () => {
    const received: { headers: IncomingMessage['headers']; body: Buffer }[] = []
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) })
        res.writeHead(202).end()
      })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as { port: number }
    const secret = `whsec_${randomBytes(24).toString('base64')}`
    try {
      const snippet = signedCurlExample(`http://127.0.0.1:${port}/webhooks/webhook/x`, secret)
        .split('\n')
        .map((l) => l.replace(/^ {2}/, ''))
        .join('\n')
      await promisify(execFile)('bash', ['-c', snippet])
    } finally {
      server.close()
    }
    expect(received).toHaveLength(1)
    const [request] = received
    if (!request) throw new Error('no request')
    expect(JSON.parse(request.body.toString())).toEqual({
      type: 'invoice.paid',
      data: { id: 'inv_1', amount: 42 },
    })
    const verdict = verifyStandardWebhook(
      secret,
      {
        id: request.headers['webhook-id'] as string,
        timestamp: request.headers['webhook-timestamp'] as string,
        signature: request.headers['webhook-signature'] as string,
      },
      request.body,
      new Date(),
    )
    expect(verdict).toMatchObject({ ok: true })
  })
})
