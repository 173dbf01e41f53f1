/** Connections as the API shows them (never the credentials), and the OAuth callback's page. */
import type { Static } from '@sinclair/typebox'
import { iso, isoOrNull } from '../../../contract/common.js'
import type { ConnectionSchema } from '../../../contract/connections.js'
import type { ConnectionInfo } from '../../../features/connections/connections.js'

export function connectionView(connection: ConnectionInfo): Static<typeof ConnectionSchema> {
  return {
    name: connection.name,
    service: connection.service,
    kind: connection.kind,
    status: connection.status,
    statusDetail: connection.statusDetail,
    tokenExpiresAt: isoOrNull(connection.tokenExpiresAt),
    createdAt: iso(connection.createdAt),
  }
}

/** The small page the browser shows at the end of an OAuth flow. */
export function callbackPage(ok: boolean, message: string): string {
  const title = ok ? 'Connected' : 'Connection failed'
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>area: ${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem">
<h1>${title}</h1>
<p>${escapeHtml(message)}</p>
</body></html>
`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
