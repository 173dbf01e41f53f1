/**
 * Text from the server or from remote services, made safe to write to a terminal. An error body
 * a remote server chose can hold escape sequences: OSC 52 writes the clipboard, CSI moves the
 * cursor and rewrites earlier lines, bidirectional overrides reorder what is shown. Every command
 * passes such text through `terminalText` before styling it with its own colours (colors.ts),
 * so our colours stay and theirs never reach the terminal (README, "Secrets and terminal output").
 *
 * Controls are escaped, not dropped, so a person still sees that something was there: ESC reads
 * `\x1b`, a C1 control `\x9b`, a bidi override `\u202e`. Only the escape character itself needs
 * neutralising; the rest of a sequence is then plain printable text.
 */

/**
 * C0 controls (tab and newline are handled by `multiline`), DEL, C1 controls, and the Unicode
 * formatting characters that reorder text (LRM, RLM, ALM, the embeddings, overrides and isolates).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

export interface TerminalTextOptions {
  /** Keep newlines and tabs (an error message of several lines); otherwise they are escaped too. */
  multiline?: boolean
}

/** `text` with every control and reordering character written as a visible escape. */
export function terminalText(text: string, options: TerminalTextOptions = {}): string {
  return text.replace(options.multiline ? UNSAFE : UNSAFE_IN_LINE, escapeChar)
}

function escapeChar(char: string): string {
  if (char === '\n') return '\\n'
  if (char === '\t') return '\\t'
  if (char === '\r') return '\\r'
  const code = char.charCodeAt(0)
  return code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`
}

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, '0')
}

/**
 * Characters JSON.stringify leaves raw although a terminal may act on them: C1 controls and the
 * reordering characters. JSON strings may hold them as `\u` escapes, so escaping them keeps the
 * document valid and its values unchanged (C0 controls JSON escapes itself).
 */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g

/** JSON text safe for a terminal, meaning exactly what JSON.stringify's does. */
export function terminalJson(value: unknown, indent?: number): string {
  const text: string | undefined = JSON.stringify(value, null, indent)
  return (text ?? 'null').replace(RAW_IN_JSON, (char) => `\\u${hex(char.charCodeAt(0), 4)}`)
}

/**
 * A YAML document (`get -o yaml`, `export`): escaped when it goes to a terminal; written as is to
 * a file or a pipe, where it must stay the exact data (`area export > areas.yaml`). YAML already
 * escapes C0 controls in the strings it quotes; this catches C1 and reordering characters.
 */
export function terminalDocument(text: string, stream: { isTTY?: boolean }): string {
  return stream.isTTY ? terminalText(text, { multiline: true }) : text
}
