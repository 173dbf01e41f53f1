/**
 * Colours for people, never for machines: only when the stream is a terminal, never with
 * NO_COLOR set (https://no-color.org) or TERM=dumb. node:util's styleText does the styling.
 * Recent Node versions make styleText check process.stdout itself, which is the wrong stream
 * for stderr output, and older ones check nothing: the decision is taken here, per stream, and
 * styleText is told not to second-guess it.
 */
import { styleText } from 'node:util'

export interface Colors {
  enabled: boolean
  red(text: string): string
  green(text: string): string
  yellow(text: string): string
  cyan(text: string): string
  dim(text: string): string
  bold(text: string): string
}

type Stream = { isTTY?: boolean }
type Env = Readonly<Record<string, string | undefined>>

export function colorsEnabled(stream: Stream, env: Env = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.TERM === 'dumb') return false
  return stream.isTTY === true
}

export function colorsFor(stream: Stream, env: Env = process.env): Colors {
  const enabled = colorsEnabled(stream, env)
  const style =
    (format: Parameters<typeof styleText>[0]) =>
    (text: string): string =>
      enabled ? styleText(format, text, { validateStream: false }) : text
  return {
    enabled,
    red: style('red'),
    green: style('green'),
    yellow: style('yellow'),
    cyan: style('cyan'),
    dim: style('dim'),
    bold: style('bold'),
  }
}
