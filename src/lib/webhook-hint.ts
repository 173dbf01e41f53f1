/**
 * A ready-to-paste shell snippet that sends one signed test event to a webhook AREA, the way
 * Standard Webhooks senders sign (HMAC-SHA256 of `<id>.<timestamp>.<body>` with the base64 key
 * after `whsec_`). Only POSIX sh, openssl, od and curl: no jq, no xxd.
 */
export function signedCurlExample(
  url: string,
  secret: string,
  body = '{"type":"invoice.paid","data":{"id":"inv_1","amount":42}}',
): string {
  return [
    `  SECRET='${secret}'`,
    `  BODY='${body}'`,
    '  ID="msg_$(date +%s)"; TS="$(date +%s)"',
    `  KEY="$(printf '%s' "\${SECRET#whsec_}" | openssl base64 -d -A | od -An -v -tx1 | tr -d ' \\n')"`,
    `  SIG="$(printf '%s' "$ID.$TS.$BODY" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY" -binary | openssl base64 -A)"`,
    `  curl -sS -X POST '${url}' -H 'content-type: application/json' \\`,
    `    -H "webhook-id: $ID" -H "webhook-timestamp: $TS" -H "webhook-signature: v1,$SIG" -d "$BODY"`,
  ].join('\n')
}

/**
 * Whether deliveries to this AREA are checked as Standard Webhooks, the one scheme the curl
 * example above signs: `webhook.received` without `verify` or with `scheme: standard`. Other
 * schemes (a Stripe or Slack preset, hmac, token) and GitHub's own actions are signed by their
 * sender (docs/architecture.md, "Verifying webhooks").
 */
export function signsAsStandardWebhooks(service: string, action: string, params: unknown): boolean {
  if (service !== 'webhook' || action !== 'received') return false
  const scheme = verifySchemeOf(params)
  return scheme === undefined || scheme === 'standard'
}

/** `webhook.received`'s `verify.scheme` as the stored params hold it (undefined: the default). */
function verifySchemeOf(params: unknown): unknown {
  return (params as { verify?: { scheme?: unknown } } | null | undefined)?.verify?.scheme
}

/** What to tell about a webhook AREA whose sender signs its deliveries (no curl example fits). */
export function senderSignsHint(service: string, params: unknown): string {
  const scheme = verifySchemeOf(params)
  if (service === 'github') return 'GitHub signs each delivery with this secret (X-Hub-Signature-256).'
  if (scheme === 'none') return 'Anyone who knows the URL may post to it (verify.scheme: none).'
  return `Deliveries are checked with verify.scheme ${String(scheme)}: the sender signs them.`
}
