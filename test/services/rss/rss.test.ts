import { describe, expect, it } from 'vitest'
import { parseFeed } from '../../../src/services/rss/parse-feed.js'
import { atomDocument, rssDocument } from '../../support/fakes/feed.js'

describe('parseFeed', () => {
  it('reads RSS 2.0 items: guid, CDATA description, dc:creator, entities', () => {
    const feed = parseFeed(
      rssDocument([
        {
          title: 'Tom & Jerry',
          link: 'https://blog.example.com/tj',
          guid: '0012',
          pubDate: 'Mon, 03 Mar 2025 09:00:00 GMT',
          description: '<p>Cats <b>and</b> mice</p>',
          author: 'Ada',
        },
      ]),
    )
    expect(feed).toEqual({
      format: 'rss',
      title: 'Example blog',
      items: [
        {
          // Kept as text: a guid is not a number.
          key: '0012',
          title: 'Tom & Jerry',
          link: 'https://blog.example.com/tj',
          published: 'Mon, 03 Mar 2025 09:00:00 GMT',
          summary: '<p>Cats <b>and</b> mice</p>',
          author: 'Ada',
        },
      ],
    })
  })

  it('keys an item without guid by a hash of link and title, stable across parses', () => {
    const doc = rssDocument([
      { title: 'A', link: 'https://x.test/a' },
      { title: 'B', link: 'https://x.test/a' },
    ])
    const [a, b] = parseFeed(doc).items
    expect(a?.key).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(a?.key).not.toBe(b?.key)
    expect(parseFeed(doc).items[0]?.key).toBe(a?.key)
  })

  it('reads Atom entries: id, the alternate link among several, published, summary, author', () => {
    const feed = parseFeed(
      atomDocument([
        {
          id: 'tag:example.org,2025:1',
          title: 'One',
          link: 'https://example.org/1',
          updated: '2025-03-02T00:00:00Z',
          summary: 'x < y',
          author: 'Grace',
        },
      ]),
    )
    expect(feed.format).toBe('atom')
    expect(feed.items).toEqual([
      {
        key: 'tag:example.org,2025:1',
        title: 'One',
        link: 'https://example.org/1',
        // No <published>: the entry's updated date stands in.
        published: '2025-03-02T00:00:00Z',
        summary: 'x < y',
        author: 'Grace',
      },
    ])
  })

  it('reads RSS 1.0 (RDF) items keyed by rdf:about', () => {
    const feed = parseFeed(`<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://example.org/"><title>RDF feed</title></channel>
  <item rdf:about="https://example.org/post"><title>Post</title><link>https://example.org/post</link><dc:date>2025-03-01</dc:date></item>
</rdf:RDF>`)
    expect(feed).toMatchObject({
      format: 'rdf',
      title: 'RDF feed',
      items: [{ key: 'https://example.org/post', title: 'Post', published: '2025-03-01' }],
    })
  })

  it('handles a feed with one item or none, and refuses what is not a feed', () => {
    expect(parseFeed(rssDocument([])).items).toEqual([])
    expect(parseFeed('<rss version="2.0"><channel><title>t</title></channel></rss>').items).toEqual([])
    expect(() => parseFeed('<html><body/></html>')).toThrow('neither an RSS nor an Atom feed')
    expect(() => parseFeed('not xml at all')).toThrow()
  })

  it('does not expand nested DTD entities (no billion laughs)', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "${'x'.repeat(100)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rss version="2.0"><channel><title>t</title><item><title>&b;</title><guid>1</guid></item></channel></rss>`
    let title: string | null | undefined
    try {
      title = parseFeed(bomb).items[0]?.title
    } catch {
      title = undefined
    }
    expect((title ?? '').length).toBeLessThan(2_000)
  })
})
