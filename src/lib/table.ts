/** Aligned columns for people; machines get `--json`. */
import { stripVTControlCharacters } from 'node:util'

export interface TableOptions {
  /** Styles the header row once aligned (e.g. bold), so padding ignores escape codes. */
  header?: (text: string) => string
  /** Spaces between columns. */
  gap?: number
}

export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string {
  const gap = ' '.repeat(options.gap ?? 2)
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))))
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - width(cell))))
      .join(gap)
      .trimEnd()
  const head = line(headers)
  return [options.header ? options.header(head) : head, ...rows.map(line)].join('\n')
}

function width(text: string): number {
  return [...stripVTControlCharacters(text)].length
}
