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

/**
 * The callback's confirmation: who receives the connection, and the form that confirms it. A
 * person sent someone else's link sees an account that is not theirs and can stop here.
 */
export function confirmPage(
  confirmation: {
    account: string
    serviceName: string
    connectionName: string
    code: string
    state: string
    token: string
  },
  action: string,
): string {
  const e = escapeHtml
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>area: confirm the connection</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem">
<h1>Connect ${e(confirmation.serviceName)} to ${e(confirmation.account)}?</h1>
<p>The ${e(confirmation.serviceName)} account you just authorized will be connected to the area account
<strong>${e(confirmation.account)}</strong>, as the connection "${e(confirmation.connectionName)}".
AREAs of that account will act as you on ${e(confirmation.serviceName)}.</p>
<p>If this is not your area account, or you did not start this yourself, close this tab: nothing is connected.</p>
<form method="post" action="${e(action)}">
<input type="hidden" name="code" value="${e(confirmation.code)}">
<input type="hidden" name="state" value="${e(confirmation.state)}">
<input type="hidden" name="token" value="${e(confirmation.token)}">
<button type="submit">Connect to ${e(confirmation.account)}</button>
</form>
</body></html>
`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
