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
