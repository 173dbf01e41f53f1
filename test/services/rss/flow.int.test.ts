/**
 * rss.new_item through the worker path (pollHookJob → executeEvent) against a local feed server:
 * baseline, new items, conditional GET, Atom, and the error answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { drivers } from '../../support/db/stores.js'
import {
  atomDocument,
  type FakeFeed,
  type RssEntry,
  rssDocument,
  startFakeFeed,
} from '../../support/fakes/feed.js'
import { expectDeclaredEvent } from '../../support/services/declared-shape.js'
import { type Flow, openFlow } from '../../support/services/flow-harness.js'
import { type HttpSink, startHttpSink } from '../../support/sink/http-sink.js'

const first: RssEntry = {
  title: 'Hello',
  link: 'https://blog.example.com/hello',
  guid: 'post-1',
  pubDate: 'Mon, 03 Mar 2025 09:00:00 GMT',
  description: '<p>First post</p>',
  author: 'Ada',
}
const second: RssEntry = {
  title: 'Second & last',
  link: 'https://blog.example.com/second',
  pubDate: 'Tue, 04 Mar 2025 09:00:00 GMT',
}

describe.each(drivers)('rss.new_item through the worker (%s)', (driver) => {
  let flow: Flow
  let feed: FakeFeed
  let sink: HttpSink

  beforeAll(async () => {
    ;[flow, feed, sink] = await Promise.all([
      openFlow(driver),
      startFakeFeed(rssDocument([first])),
      startHttpSink(),
    ])
  })
  afterAll(async () => {
    await Promise.all([flow?.dispose(), feed?.close(), sink?.close()])
  })

  const area = (name: string, url: string) =>
    flow.apply(name, {
      action: {
        service: 'rss',
        action: 'new_item',
        trigger: { polling: { interval: '30s' } },
        params: { url },
      },
      reactions: [
        {
          id: 'post',
          service: 'http',
          reaction: 'request',
          params: {
            url: `${sink.url}/items`,
            body: { title: '{{ trigger.title }}', link: '{{ trigger.link }}', id: '{{ trigger.id }}' },
          },
        },
      ],
    })

  it('baselines the feed, fires each new item once, and sends validators so an unchanged feed costs a 304', async () => {
    const applied = await area('rss-blog', `${feed.url}/feed.xml`)
    expect(await flow.poll(applied.hookJobId)).toEqual({
      status: 'polled',
      baseline: true,
      fired: 0,
      requeued: 0,
    })
    const state = await flow.hookState(applied.hookJobId)
    expect(state).toMatchObject({
      url: `${feed.url}/feed.xml`,
      etag: expect.stringMatching(/^"/),
      lastModified: expect.any(String),
    })

    // Unchanged: the fake answers 304 to the stored ETag, and nothing fires.
    expect(await flow.poll(applied.hookJobId)).toMatchObject({ fired: 0 })
    const conditional = feed.requests.at(-1)!
    expect(conditional.headers['if-none-match']).toBe(state?.etag)
    expect(conditional.headers['if-modified-since']).toBe(state?.lastModified)

    feed.document = rssDocument([second, first])
    feed.lastModified = new Date(Date.now() + 1000)
    expect(await flow.poll(applied.hookJobId)).toMatchObject({ baseline: false, fired: 1 })
    const job = flow.enqueued.at(-1)!
    const [log] = await flow.hookLogs(applied.hookJobId)
    expect(log?.event_payload).toMatchObject({
      title: 'Second & last',
      link: 'https://blog.example.com/second',
      published: 'Tue, 04 Mar 2025 09:00:00 GMT',
      // No guid: the key is a hash of link and title.
      id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      feed: { url: `${feed.url}/feed.xml`, title: 'Example blog', format: 'rss' },
    })
    expectDeclaredEvent('rss', 'new_item', log?.event_payload)
    expect(await flow.execute(job)).toBe('done')
    expect(sink.requests.at(-1)?.json).toMatchObject({
      title: 'Second & last',
      link: 'https://blog.example.com/second',
    })
    expect(await flow.poll(applied.hookJobId)).toMatchObject({ fired: 0 })
  })

  it('reads Atom feeds: id, alternate link, published, summary and author', async () => {
    const atom = await startFakeFeed(
      atomDocument([
        { id: 'urn:uuid:1', title: 'v1', link: 'https://example.org/v1', updated: '2025-03-01T10:00:00Z' },
      ]),
      'application/atom+xml',
    )
    try {
      const applied = await area('atom-releases', `${atom.url}/feed.xml`)
      expect(await flow.poll(applied.hookJobId)).toMatchObject({ baseline: true })
      atom.document = atomDocument([
        {
          id: 'urn:uuid:2',
          title: 'v2',
          link: 'https://example.org/v2',
          published: '2025-03-02T10:00:00Z',
          updated: '2025-03-02T11:00:00Z',
          summary: 'Faster <b>and</b> smaller',
          author: 'Grace',
        },
        { id: 'urn:uuid:1', title: 'v1', link: 'https://example.org/v1', updated: '2025-03-01T10:00:00Z' },
      ])
      expect(await flow.poll(applied.hookJobId)).toMatchObject({ fired: 1 })
      const [log] = await flow.hookLogs(applied.hookJobId)
      expect(log?.event_payload).toEqual({
        id: 'urn:uuid:2',
        title: 'v2',
        link: 'https://example.org/v2',
        published: '2025-03-02T10:00:00Z',
        summary: 'Faster <b>and</b> smaller',
        author: 'Grace',
        feed: { url: `${atom.url}/feed.xml`, title: 'Example releases', format: 'atom' },
      })
      expectDeclaredEvent('rss', 'new_item', log?.event_payload)
      expect(await flow.execute(flow.enqueued.at(-1)!)).toBe('done')
      expect(sink.requests.at(-1)?.json).toMatchObject({ id: 'urn:uuid:2', title: 'v2' })
    } finally {
      await atom.close()
    }
  })

  it('retries 5xx and 429 (with Retry-After), fails on 404, on a non-feed and on a huge feed', async () => {
    const applied = await area('rss-errors', `${feed.url}/feed.xml`)
    feed.queued.push({ status: 503, headers: { 'retry-after': '120' }, body: 'Service Unavailable' })
    await expect(flow.poll(applied.hookJobId)).rejects.toMatchObject({
      retryable: true,
      retryAfterMs: 120_000,
    })
    feed.queued.push({ status: 429, headers: { 'retry-after': '7' }, body: 'slow down' })
    await expect(flow.poll(applied.hookJobId)).rejects.toMatchObject({ retryable: true, retryAfterMs: 7_000 })
    // Nothing was committed by the failed polls: the next good one is still the baseline.
    expect(await flow.poll(applied.hookJobId)).toMatchObject({ baseline: true })

    const missing = await area('rss-missing', `${feed.url}/nope.xml`)
    await expect(flow.poll(missing.hookJobId)).rejects.toMatchObject({
      retryable: false,
      message: expect.stringContaining('answered 404'),
    })

    feed.queued.push({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html><body>hi</body></html>',
    })
    await expect(flow.poll(applied.hookJobId)).rejects.toMatchObject({
      retryable: false,
      message: 'the document is neither an RSS nor an Atom feed',
    })

    feed.queued.push({
      status: 200,
      headers: { 'content-type': 'application/rss+xml' },
      body: `<rss>${'x'.repeat(6 * 1024 * 1024)}</rss>`,
    })
    await expect(flow.poll(applied.hookJobId)).rejects.toMatchObject({
      retryable: false,
      message: expect.stringContaining('larger than'),
    })
  })
})
