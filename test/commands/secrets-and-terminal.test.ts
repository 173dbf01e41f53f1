/**
 * README, "Secrets and terminal output", through the real binary against a real embedded
 * `area serve`: a Discord webhook URL never comes back from export, get, describe or diff, the
 * exported file applies unchanged and the reaction still posts to the real URL; a remote error
 * body full of escape sequences prints escaped in `area logs` and `area describe`, and stays the
 * exact text in JSON. One daemon for both: the machine is small.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../support/api/client.js'
import { type CliSession, signedUpSession } from '../support/cli/cli-session.js'
import { startTestServer, type TestServer } from '../support/cli/test-server.js'
import { type FakeDiscord, startFakeDiscord } from '../support/fakes/discord.js'
import { type HttpSink, startHttpSink } from '../support/sink/http-sink.js'

// The fake's webhook token: the secret part of the URL.
const DISCORD_TOKEN = 'a1b2c3-token_D4e5F6'
// What a hostile server answers: OSC 52 (set the clipboard) and CSI (erase, cursor up).
const HOSTILE = 'nope \u001b]52;c;ZWNobyBwd25lZA==\u0007\u001b[2K\u001b[1A\u009b31m done'
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding raw control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

let server: TestServer
let me: CliSession
let discord: FakeDiscord
let sink: HttpSink

function relay(webhookUrl: string): string {
  return [
    'apiVersion: area/v1',
    'kind: Area',
    'metadata:',
    '  name: relay',
    'spec:',
    '  action:',
    '    service: webhook',
    '    action: received',
    '  reactions:',
    '    - id: notify',
    '      service: discord',
    '      reaction: send_message',
    '      params:',
    `        webhook_url: ${webhookUrl}`,
    '        content: hello',
    '',
  ].join('\n')
}

function hostile(url: string): string {
  return [
    'apiVersion: area/v1',
    'kind: Area',
    'metadata:',
    '  name: hostile',
    'spec:',
    '  action:',
    '    service: webhook',
    '    action: received',
    '  reactions:',
    '    - id: call',
    '      service: http',
    '      reaction: request',
    '      params:',
    `        url: ${url}`,
    '',
  ].join('\n')
}

beforeAll(async () => {
  ;[discord, sink, server] = await Promise.all([
    startFakeDiscord(),
    startHttpSink(),
    startTestServer({ name: 'cli-secrets', store: 'embedded', env: { AREA_HTTP_ALLOW_PRIVATE: 'all' } }),
  ])
  me = await signedUpSession('secrets', server.url, 'secrets@example.com')
})

afterAll(async () => {
  await server?.stop()
  await Promise.all([me?.cleanup(), discord?.close(), sink?.close()])
})

describe('secret params in the CLI', { timeout: 300_000 }, () => {
  it('export, get, describe and diff show <secret:…>; the exported file applies unchanged and still posts', async () => {
    const file = await me.write('relay.yaml', relay(discord.webhookUrl))
    expect((await me.area(['apply', '-f', file])).code).toBe(0)

    const [exported, yaml, json, described, diff] = await Promise.all([
      me.area(['export', 'relay']),
      me.area(['get', 'relay', '-o', 'yaml']),
      me.area(['get', 'relay', '--json']),
      me.area(['describe', 'relay']),
      me.area(['diff', '-f', file]),
    ])
    for (const result of [exported, yaml, json, described, diff]) {
      expect(result.stdout + result.stderr).not.toContain(DISCORD_TOKEN)
    }
    expect(exported.stdout).toMatch(/webhook_url: <secret:[0-9a-f]{12}>/)
    expect(json.stdout).toMatch(/"webhook_url": "<secret:[0-9a-f]{12}>"/)
    // The plain value applied again is no change: equal secrets, equal fingerprints.
    expect(diff.code).toBe(0)

    const copy = await me.write('exported.yaml', exported.stdout)
    const [diffCopy, applyCopy] = [await me.area(['diff', '-f', copy]), await me.area(['apply', '-f', copy])]
    expect(diffCopy.code).toBe(0)
    expect(applyCopy.code).toBe(0)
    expect(applyCopy.stdout).toContain('Applied: 0 created, 0 updated, 0 deleted, 1 unchanged.')

    const before = discord.messages.length
    expect((await me.area(['run', 'relay'])).code).toBe(0)
    await waitFor('the Discord message', async () => (discord.messages.length > before ? true : undefined))
    expect(discord.messages.at(-1)).toMatchObject({ content: 'hello' })

    // Another URL is a change, shown as another fingerprint and never in clear.
    const other = `${discord.url}/api/webhooks/1234567890123456789/an0ther-t0ken`
    const changed = await me.write('changed.yaml', relay(other))
    const changedDiff = await me.area(['diff', '-f', changed])
    expect(changedDiff.code).toBe(2)
    expect(changedDiff.stdout).toMatch(
      /params\.webhook_url\n +- "<secret:[0-9a-f]{12}>"\n +\+ "<secret:[0-9a-f]{12}>"\n/,
    )
    expect(changedDiff.stdout).not.toContain('an0ther-t0ken')

    // Nothing the daemon logged holds the secret either.
    expect(JSON.stringify(server.daemon.logs)).not.toContain(DISCORD_TOKEN)
  })
})

describe('remote text in the terminal', { timeout: 300_000 }, () => {
  it('a remote error with OSC 52 and CSI prints escaped in logs and describe, and exact in --json', async () => {
    sink.respond = (request) => (request.path === '/evil' ? { status: 400, raw: HOSTILE } : undefined)
    const file = await me.write('hostile.yaml', hostile(`${sink.url}/evil`))
    expect((await me.area(['apply', '-f', file])).code).toBe(0)
    expect((await me.area(['run', 'hostile'])).code).toBe(0)

    const jsonLines = await waitFor('the failed event', async () => {
      const result = await me.area(['logs', 'hostile', '--json', '--since', '1h'])
      const events = result.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { status: string; error: string | null })
      return events.some((e) => e.status === 'failed') ? { result, events } : undefined
    })
    // --json: valid JSON (parsed above) holding the exact remote text, with nothing raw on the wire.
    expect(jsonLines.result.stdout).not.toMatch(RAW_CONTROL)
    expect(jsonLines.events.find((e) => e.status === 'failed')?.error).toContain(HOSTILE.trim())

    const [logs, described] = await Promise.all([
      me.area(['logs', 'hostile']),
      me.area(['describe', 'hostile']),
    ])
    for (const result of [logs, described]) {
      expect(result.code).toBe(0)
      expect(result.stdout).not.toMatch(RAW_CONTROL)
      expect(result.stdout).toContain('nope \\x1b]52;c;ZWNobyBwd25lZA==\\x07\\x1b[2K\\x1b[1A\\x9b31m done')
    }
  })
})
