/**
 * The reference: a bare Fastify POST handler on the same body (default JSON parsing, a small JSON
 * answer), in its own process like the API, so both figures come from the same conditions.
 */
import Fastify from 'fastify'
import { type BenchMessage, sampleRss } from './ipc.js'

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
app.post('/webhooks/:service/:hookJobId', async (_request, reply) => reply.code(202).send({ ok: true }))
await app.listen({ host: '127.0.0.1', port: 0 })
const rss = sampleRss()

const address = app.server.address()
const port = typeof address === 'object' && address ? address.port : 0
process.send?.({ type: 'listening', port } satisfies BenchMessage)
process.on('message', async (message: BenchMessage) => {
  if (message.type === 'stats?') {
    process.send?.({ type: 'stats', stats: { rssPeakBytes: rss.peak() } } satisfies BenchMessage)
  }
  if (message.type === 'rss-reset') rss.reset()
  if (message.type === 'stop') {
    rss.stop()
    await app.close()
    process.exit(0)
  }
})
