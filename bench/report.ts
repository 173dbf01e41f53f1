/** The bench's output: one JSON object on stdout, and the same figures as a table on stderr. */

export interface Figure {
  figure: string
  value: string
  target: string
  reference: string
}

export function printTable(title: string, rows: Figure[]): void {
  const header: Figure = {
    figure: 'figure',
    value: 'value',
    target: 'target',
    reference: 'reference (same run)',
  }
  const all = [header, ...rows]
  const width = (key: keyof Figure) => Math.max(...all.map((row) => row[key].length))
  const widths = {
    figure: width('figure'),
    value: width('value'),
    target: width('target'),
    reference: width('reference'),
  }
  const line = (row: Figure) =>
    `  ${row.figure.padEnd(widths.figure)}  ${row.value.padStart(widths.value)}  ${row.target.padEnd(widths.target)}  ${row.reference}`
  const rule = `  ${'-'.repeat(widths.figure + widths.value + widths.target + widths.reference + 6)}`
  process.stderr.write(`\n${title}\n${line(header)}\n${rule}\n${rows.map(line).join('\n')}\n\n`)
}

export const formatNumber = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 })
export const megabytes = (bytes: number) => Math.round(bytes / 1024 / 1024)

export function row(figure: string, value: string, target: string, reference: string): Figure {
  return { figure, value, target, reference }
}

/** One figure's outcome: its keys of the JSON, its table rows and its pass entries. */
export interface FigureRun {
  title: string
  rows: Figure[]
  json: Record<string, unknown>
  pass: Record<string, boolean>
}

export const seconds = (ms: number) => Math.round(ms / 10) / 100
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
