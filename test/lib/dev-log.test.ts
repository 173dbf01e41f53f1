import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { colorsFor } from '../../src/lib/colors.js'
import { devLog, humanLogLine } from '../../src/lib/dev-log.js'

const plain = colorsFor({})
const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

describe('humanLogLine', () => {
  it('turns warnings and errors into one line with their cause, and skips the rest', () => {
    expect(humanLogLine('{"level":40,"msg":"poll failed","reason":"connect ECONNREFUSED"}', plain)).toBe(
      'warning: poll failed: connect ECONNREFUSED',
    )
    expect(humanLogLine('{"level":50,"msg":"job failed","err":{"message":"boom","stack":"…"}}', plain)).toBe(
      'error: job failed: boom',
    )
    expect(humanLogLine('{"level":30,"msg":"area is running"}', plain)).toBeUndefined()
    expect(humanLogLine('not json', plain)).toBeUndefined()
    // Text from elsewhere cannot drive the terminal.
    expect(humanLogLine('{"level":40,"msg":"bad \\u001b[31mred"}', plain)).not.toContain('\u001b')
  })
})

describe('devLog', () => {
  it('writes every line to dev.log and prints only warnings and errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'area-dev-log-'))
    dirs.push(dir)
    const printed: string[] = []
    const log = devLog(dir, 'info', plain, (line) => printed.push(line))
    log.logger.info({ port: 1 }, 'area is running')
    log.logger.warn({ reason: 'refused' }, 'worker: retrying')
    expect(log.file).toBe(join(dir, 'dev.log'))
    expect(printed).toEqual(['warning: worker: retrying: refused'])
    const lines = (await readFile(log.file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => l.msg)).toEqual(['area is running', 'worker: retrying'])
  })
})
