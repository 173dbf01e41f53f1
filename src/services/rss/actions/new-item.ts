import { Type } from '@sinclair/typebox'
import { defineAction } from '../../../engine/define.js'
import { PermanentError } from '../../../engine/errors.js'
import type { JsonObject } from '../../../engine/types.js'
import { bodyText } from '../../../net/client.js'
import { conditionalGet, validatorsOf } from '../../../net/conditional-get.js'
import { headersParam, urlParam } from '../../../net/request-params.js'
import { parseTarget } from '../../../net/target.js'
import { parseFeed } from '../parse-feed.js'

const TIMEOUT_MS = 30_000
/** Feeds are small; a bigger document is a mistake (or an attack) and would bloat events. */
export const MAX_FEED_BYTES = 5 * 1024 * 1024
/** A summary is for templates; full articles stay at their link. */
const MAX_SUMMARY_CHARS = 4_000

const params = Type.Object(
  {
    url: urlParam('The http:// or https:// URL of an RSS or Atom feed', [
      'https://blog.example.com/feed.xml',
    ]),
    headers: headersParam,
  },
  { additionalProperties: false },
)

export const newItem = defineAction({
  id: 'new_item',
  name: 'New feed item',
  description:
    'Polls an RSS 2.0 or Atom feed (conditional GET) and fires for each new item; the event has title, link, published, summary and author',
  params,
  requiresConnection: false,
  polling: {
    defaultIntervalSeconds: 300,
    minIntervalSeconds: 30,
    async poll(ctx) {
      const target = parseTarget(ctx.params.url)
      // Validators belong to one URL: a changed url param must not send the old ones.
      const same = ctx.state?.url === target.url.href
      const response = await conditionalGet({
        target,
        headers: ctx.params.headers,
        accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1',
        userAgent: ctx.settings.userAgent,
        validators: same
          ? { etag: stringOr(ctx.state?.etag), lastModified: stringOr(ctx.state?.lastModified) }
          : undefined,
        timeoutMs: TIMEOUT_MS,
        signal: ctx.signal,
        maxBodyBytes: MAX_FEED_BYTES,
      })
      if (response.status === 304 && same) return { items: [], state: ctx.state }
      if (response.truncated) {
        throw new PermanentError(`GET ${target.display} answered a feed larger than ${MAX_FEED_BYTES} bytes`)
      }
      const feed = parseFeed(bodyText(response))
      const state: JsonObject = { url: target.url.href }
      const { etag, lastModified } = validatorsOf(response)
      if (etag) state.etag = etag
      if (lastModified) state.lastModified = lastModified
      return {
        items: feed.items.map(({ key, ...item }) => ({
          key,
          event: {
            ...item,
            summary:
              item.summary && item.summary.length > MAX_SUMMARY_CHARS
                ? item.summary.slice(0, MAX_SUMMARY_CHARS)
                : item.summary,
            id: key,
            feed: { url: target.url.href, title: feed.title, format: feed.format },
          },
        })),
        state,
      }
    },
  },
  event: Type.Object(
    {
      id: Type.String({ description: 'The item’s guid or id, else a hash of link and title' }),
      title: nullable('The item’s title'),
      link: nullable('The item’s page'),
      published: nullable('Publication date as the feed writes it'),
      summary: nullable('Description or summary, up to 4000 characters'),
      author: nullable('Author name'),
      feed: Type.Object(
        {
          url: Type.String({ description: 'The polled feed URL' }),
          title: nullable('The feed’s title'),
          format: Type.Union([Type.Literal('rss'), Type.Literal('atom'), Type.Literal('rdf')]),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
  exampleEvent: {
    id: 'https://blog.example.com/posts/42',
    title: 'Release 2.0',
    link: 'https://blog.example.com/posts/42',
    published: 'Mon, 03 Mar 2025 09:00:00 GMT',
    summary: 'What is new in 2.0',
    author: 'Ada',
    feed: { url: 'https://blog.example.com/feed.xml', title: 'Example blog', format: 'rss' },
  },
})

function nullable(description: string) {
  return Type.Union([Type.String(), Type.Null()], { description })
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
