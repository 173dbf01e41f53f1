/**
 * One log line per request, when it completes: method, URL, status and duration, with the
 * request id Fastify binds to `request.log`. Never headers (Authorization) nor bodies
 * (passwords, secrets, events). At debug level: under load, a line per webhook at info was most
 * of the log; what goes wrong is logged where it goes wrong, and /metrics counts the requests.
 */
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify'

export class ApiLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return
    const line = {
      method: request.method,
      url: withoutOAuthSecrets(request.url),
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    }
    if (error) reply.log.error({ ...line, err: error }, 'request errored')
    else reply.log.debug(line, 'request completed')
  }
}

/** An OAuth callback's query carries a one-time code and the sealed state: not for logs. */
function withoutOAuthSecrets(url: string): string {
  return url.replace(/([?&](?:code|state)=)[^&]*/g, '$1[redacted]')
}
