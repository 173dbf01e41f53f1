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
