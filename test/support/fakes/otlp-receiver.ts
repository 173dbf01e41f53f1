/**
 * A local OpenTelemetry collector's OTLP/HTTP traces endpoint (`POST /v1/traces`, JSON, as the
 * daemon's exporter sends it): records every span it is sent, flattened with its resource's
 * attributes, for the traces tests. Ids are hex, as OTLP/JSON writes them (base64 is decoded too).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export type AttributeValue = string | number | boolean | undefined

export interface ReceivedSpan {
  traceId: string
  spanId: string
  /** '' for a root span. */
  parentSpanId: string
  name: string
  kind: number
  attributes: Record<string, AttributeValue>
  resource: Record<string, AttributeValue>
  links: { traceId: string; spanId: string }[]
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number
}

export interface OtlpReceiver {
  /** The base endpoint, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string
  spans: ReceivedSpan[]
  /** Content types of the exports received. */
  contentTypes: string[]
  close(): Promise<void>
}

interface OtlpKeyValue {
  key: string
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number }
}
interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  attributes?: OtlpKeyValue[]
  links?: { traceId: string; spanId: string }[]
  status?: { code?: number }
}
interface OtlpExport {
  resourceSpans?: { resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[]
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const receiver: OtlpReceiver = { url: '', spans: [], contentTypes: [], close: async () => {} }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end()
        return
      }
      receiver.contentTypes.push(req.headers['content-type'] ?? '')
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport
      for (const resourceSpans of body.resourceSpans ?? []) {
        const resource = attributesOf(resourceSpans.resource?.attributes)
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            receiver.spans.push({
              traceId: hex(span.traceId),
              spanId: hex(span.spanId),
              parentSpanId: span.parentSpanId ? hex(span.parentSpanId) : '',
              name: span.name,
              kind: span.kind,
              attributes: attributesOf(span.attributes),
              resource,
              links: (span.links ?? []).map((l) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId) })),
              statusCode: span.status?.code ?? 0,
            })
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  receiver.close = () => {
    server.closeAllConnections()
    return new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())))
  }
  return receiver
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {}
  for (const { key, value } of list ?? []) {
    attributes[key] =
      value.stringValue ??
      (value.intValue === undefined ? undefined : Number(value.intValue)) ??
      value.boolValue ??
      value.doubleValue
  }
  return attributes
}

/** OTLP/JSON ids are hex; a base64 one (protobuf's JSON mapping) is turned into hex. */
function hex(id: string): string {
  return /^[0-9a-f]+$/i.test(id) && (id.length === 32 || id.length === 16)
    ? id.toLowerCase()
    : Buffer.from(id, 'base64').toString('hex')
}
