/**
 * A local feed server: serves an RSS or Atom document with an ETag and Last-Modified, answers
 * a matching If-None-Match / If-Modified-Since with 304, like a static file server or a CDN.
 */
import { createHash } from 'node:crypto'
import type { FakeAnswer, FakeRequest, FakeServer } from './fake-server.js'
import { startFakeServer } from './fake-server.js'

export interface FakeFeed extends FakeServer {
  /** The document served at /feed.xml; set it to publish. */
  document: string
  contentType: string
  lastModified: Date
}

export async function startFakeFeed(
  document: string,
  contentType = 'application/rss+xml',
): Promise<FakeFeed> {
  function route(request: FakeRequest): FakeAnswer {
    if (request.path !== '/feed.xml') return { status: 404, body: 'Not Found' }
    const etag = `"${createHash('sha1').update(fake.document).digest('hex')}"`
    const lastModified = fake.lastModified.toUTCString()
    const headers = { etag, 'last-modified': lastModified, 'cache-control': 'max-age=60' }
    const since = request.headers['if-modified-since']
    if (request.headers['if-none-match'] === etag) return { status: 304, headers }
    if (
      !request.headers['if-none-match'] &&
      since &&
      Date.parse(since) >= Math.floor(fake.lastModified.getTime() / 1000) * 1000
    ) {
      return { status: 304, headers }
    }
    return { status: 200, headers: { ...headers, 'content-type': fake.contentType }, body: fake.document }
  }
  const server = await startFakeServer(route)
  const fake: FakeFeed = Object.assign(server, { document, contentType, lastModified: new Date() })
  return fake
}

export interface RssEntry {
  title: string
  link: string
  guid?: string
  pubDate?: string
  description?: string
  author?: string
}

export function rssDocument(entries: RssEntry[]): string {
  const items = entries
    .map(
      (e) => `    <item>
      <title>${escapeXml(e.title)}</title>
      <link>${escapeXml(e.link)}</link>
${e.guid ? `      <guid isPermaLink="false">${escapeXml(e.guid)}</guid>\n` : ''}${e.pubDate ? `      <pubDate>${e.pubDate}</pubDate>\n` : ''}${e.description ? `      <description><![CDATA[${e.description}]]></description>\n` : ''}${e.author ? `      <dc:creator>${escapeXml(e.author)}</dc:creator>\n` : ''}    </item>`,
    )
    .join('\n')
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Example blog</title>
    <link>https://blog.example.com/</link>
    <description>Posts</description>
    <atom:link href="https://blog.example.com/feed.xml" rel="self" type="application/rss+xml"/>
${items}
  </channel>
</rss>
`
}

export interface AtomEntry {
  id: string
  title: string
  link: string
  published?: string
  updated: string
  summary?: string
  author?: string
}

export function atomDocument(entries: AtomEntry[]): string {
  const body = entries
    .map(
      (e) => `  <entry>
    <id>${escapeXml(e.id)}</id>
    <title type="text">${escapeXml(e.title)}</title>
    <link rel="alternate" type="text/html" href="${escapeXml(e.link)}"/>
    <link rel="replies" type="application/atom+xml" href="${escapeXml(e.link)}/comments.xml"/>
${e.published ? `    <published>${e.published}</published>\n` : ''}    <updated>${e.updated}</updated>
${e.summary ? `    <summary type="html">${escapeXml(e.summary)}</summary>\n` : ''}${e.author ? `    <author><name>${escapeXml(e.author)}</name></author>\n` : ''}  </entry>`,
    )
    .join('\n')
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example releases</title>
  <id>urn:uuid:60a76c80-d399-11d9-b91C-0003939e0af6</id>
  <updated>2025-03-01T10:00:00Z</updated>
  <link href="https://example.org/"/>
${body}
</feed>
`
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
