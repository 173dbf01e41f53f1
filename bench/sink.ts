/** The reactions' target: a local HTTP server that counts requests and answers 200 at once. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Sink {
  url: string
  /** Arrival times (performance.now()) of the requests, for latency figures. */
  arrivals: number[]
  close(): Promise<void>
}

/** `onBody`, when given, receives each request's body (read only then). */
export async function startSink(onBody?: (body: Buffer) => void): Promise<Sink> {
  const arrivals: number[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    if (onBody) request.on('data', (chunk: Buffer) => chunks.push(chunk))
    else request.resume()
    request.on('end', () => {
      arrivals.push(performance.now())
      onBody?.(Buffer.concat(chunks))
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
