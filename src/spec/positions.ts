/**
 * Maps a JSON pointer (`/spec/reactions/0/params/url`) back to where it is written in the YAML
 * source, so every issue can say line and column.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml'

export interface Position {
  line: number
  column: number
}

export type LocateTarget =
  /** The value for a scalar written on its key's line, the key for a block collection. */
  | 'auto'
  /** The key: for "unknown field" issues the key is what is wrong. */
  | 'key'

/**
 * The position of the node at `pointer`. When the pointer goes further than the document (a
 * missing field), the deepest node that exists is given: the parent that lacks the field.
 */
export function locate(
  yaml: Document.Parsed,
  lineCounter: LineCounter,
  pointer: string,
  target: LocateTarget = 'auto',
  /** An offset inside the string value (an expression's error): used when it maps cheaply. */
  inner?: number,
): Position {
  const offset = locateOffset(yaml, pointer, target, inner)
  const { line, col } = lineCounter.linePos(offset)
  return { line, column: col }
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return []
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
}

function locateOffset(
  yaml: Document.Parsed,
  pointer: string,
  target: LocateTarget,
  inner: number | undefined,
): number {
  let node: unknown = yaml.contents
  let key: Node | undefined
  let complete = true
  for (const segment of parsePointer(pointer)) {
    const resolved = isAlias(node) ? node.resolve(yaml) : node
    let next: { key: Node | undefined; value: unknown } | undefined
    if (isMap(resolved)) {
      const pair = resolved.items.find((p) => isScalar(p.key) && String(p.key.value) === segment)
      if (pair) next = { key: pair.key as Node, value: pair.value }
    } else if (isSeq(resolved) && /^\d+$/.test(segment)) {
      const item = resolved.items[Number(segment)]
      if (item !== undefined) next = { key: undefined, value: item }
    }
    if (!next) {
      complete = false
      break
    }
    key = next.key
    node = next.value
  }
  const keyOffset = key?.range?.[0]
  const value = node as Node | null
  const valueOffset = value?.range?.[0]
  const isLeaf = isScalar(value) || isAlias(value)
  // An empty value (`params:`) is positioned on the next line: its key is more helpful.
  const isEmpty = isScalar(value) && value.value === null && value.source === ''
  const preferKey = target === 'key' || !complete || !isLeaf || isEmpty
  if (preferKey && keyOffset !== undefined) return keyOffset
  if (complete && inner !== undefined && isScalar(value)) {
    const within = innerOffset(value, inner)
    if (within !== undefined) return within
  }
  return valueOffset ?? keyOffset ?? yaml.range[0]
}

/**
 * The source offset of character `inner` of a string scalar, when the source is the value as it
 * is: one line, plain or quoted without escapes (its length tells). Otherwise undefined, and the
 * issue points at the value's start.
 */
function innerOffset(scalar: Node, inner: number): number | undefined {
  const { value, type, range } = scalar as Node & { value: unknown; type?: string }
  if (typeof value !== 'string' || !range || value.includes('\n') || inner > value.length) return undefined
  const quote = type === 'QUOTE_SINGLE' || type === 'QUOTE_DOUBLE' ? 1 : type === 'PLAIN' ? 0 : undefined
  if (quote === undefined || range[1] - range[0] !== value.length + 2 * quote) return undefined
  return range[0] + quote + inner
}
