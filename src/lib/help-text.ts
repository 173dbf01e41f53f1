/**
 * Help text kept readable in the source: each paragraph is given as its lines, joined with
 * spaces; paragraphs are separated by a blank line. oclif wraps the result to the terminal.
 */
export function helpText(...paragraphs: readonly string[][]): string {
  return paragraphs.map((lines) => lines.join(' ')).join('\n\n')
}
