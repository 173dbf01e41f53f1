/** A service's HTTP answer as the net client hands it over, for calling its error classifier directly. */
import type { HttpResponse } from '../../../src/net/client.js'

export function answer(status: number, headers: Record<string, string>, body: string): HttpResponse {
  return { status, headers: new Headers(headers), body: Buffer.from(body), truncated: false }
}
