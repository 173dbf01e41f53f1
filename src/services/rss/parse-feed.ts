/**
 * RSS 2.0, RSS 1.0 (RDF) and Atom documents to one item shape. Values are kept as strings
 * (no number coercion: a guid like "0012" must stay itself). fast-xml-parser expands simple
 * internal DTD entities but not entities made of entities, so a billion-laughs feed stays small;
 * the body is capped before parsing anyway.
 */
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import type { XMLParser } from 'fast-xml-parser'
import { PermanentError } from '../../engine/errors.js'

export interface FeedItem {
  /** guid / id, else a hash of link and title. */
  key: string
  title: string | null
  link: string | null
  published: string | null
  summary: string | null
  author: string | null
}

export interface Feed {
  format: 'rss' | 'atom' | 'rdf'
  title: string | null
  items: FeedItem[]
}

// Made on the first feed parsed, through fast-xml-parser's CommonJS build (parsing stays
// synchronous): `area validate` and the API never load it.
let parser: XMLParser | undefined
const require = createRequire(import.meta.url)
const createParser = (): XMLParser => {
  const { XMLParser: Parser } = require('fast-xml-parser') as typeof import('fast-xml-parser')
  return new Parser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    htmlEntities: true,
    isArray: (name) => ['item', 'entry', 'link', 'author', 'category'].includes(name),
  })
}

type Node = Record<string, unknown>

export function parseFeed(xml: string): Feed {
  let document: Node
  try {
    parser ??= createParser()
    document = parser.parse(xml) as Node
  } catch (error) {
    throw new PermanentError(
      `the feed is not well-formed XML: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
  const rss = asNode(document.rss)
  if (rss) {
    const channel = asNode(rss.channel)
    return { format: 'rss', title: text(channel?.title), items: nodes(channel?.item).map(rssItem) }
  }
  const feed = asNode(document.feed)
  if (feed) return { format: 'atom', title: text(feed.title), items: nodes(feed.entry).map(atomItem) }
  const rdf = asNode(document['rdf:RDF'])
  if (rdf)
    return { format: 'rdf', title: text(asNode(rdf.channel)?.title), items: nodes(rdf.item).map(rssItem) }
  throw new PermanentError('the document is neither an RSS nor an Atom feed')
}

function rssItem(item: Node): FeedItem {
  const title = text(item.title)
  const link = text(nodes(item.link)[0] ?? first(item.link)) ?? text(item['@_rdf:about'])
  const guid = text(item.guid) ?? text(item['@_rdf:about'])
  return {
    key: guid ? boundedKey(guid) : fallbackKey(link, title),
    title,
    link,
    published: text(item.pubDate) ?? text(item['dc:date']),
    summary: text(item.description) ?? text(item['content:encoded']),
    author: text(first(item.author)) ?? text(item['dc:creator']),
  }
}

function atomItem(entry: Node): FeedItem {
  const title = text(entry.title)
  const links = nodes(entry.link)
  const alternate = links.find((l) => (l['@_rel'] ?? 'alternate') === 'alternate') ?? links[0]
  const link = text(alternate?.['@_href'])
  const id = text(entry.id)
  return {
    key: id ? boundedKey(id) : fallbackKey(link, title),
    title,
    link,
    published: text(entry.published) ?? text(entry.updated),
    summary: text(entry.summary) ?? text(entry.content),
    author: text(asNode(first(entry.author))?.name),
  }
}

/** The engine caps dedup keys; an absurdly long guid is kept by its hash instead. */
const MAX_KEY_LENGTH = 256

function boundedKey(id: string): string {
  return id.length <= MAX_KEY_LENGTH ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`
}

function fallbackKey(link: string | null, title: string | null): string {
  return `sha256:${createHash('sha256')
    .update(`${link ?? ''}\n${title ?? ''}`)
    .digest('hex')}`
}

/** Text of an element that may carry attributes (`{ '#text': …, '@_type': 'html' }`). */
function text(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  const node = asNode(value)
  if (node && '#text' in node) return text(node['#text'])
  return null
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value
}

function asNode(value: unknown): Node | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Node) : undefined
}

function nodes(value: unknown): Node[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value]
  return list.map(asNode).filter((n): n is Node => n !== undefined)
}
