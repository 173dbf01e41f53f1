import { describe, expect, it } from 'vitest'
import { createOutageLog } from '../../src/daemon/outage-log.js'

function capture() {
  const lines: { level: string; obj: object; msg: string | undefined }[] = []
  const at = (level: string) => (obj: object | string, msg?: string) =>
    lines.push({ level, obj: typeof obj === 'string' ? {} : obj, msg: typeof obj === 'string' ? obj : msg })
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } }
}

describe('createOutageLog', () => {
  it('logs the first failure of an outage, counts the others, and logs the recovery once', () => {
    const { lines, logger } = capture()
    let now = 1_000
    const outage = createOutageLog(logger, {
      dependency: 'postgres',
      component: 'api',
      counting: 'requests refused',
      now: () => now,
    })
    outage.succeeded()
    expect(lines).toEqual([])
    for (let i = 0; i < 50; i++) outage.failed(new Error('connect ECONNREFUSED 127.0.0.1:5432'))
    expect(outage.down).toBe(true)
    now += 4_200
    outage.succeeded()
    outage.succeeded()
    expect(outage.down).toBe(false)
    expect(lines).toEqual([
      {
        level: 'warn',
        obj: { dependency: 'postgres', reason: 'connect ECONNREFUSED 127.0.0.1:5432' },
        msg: expect.stringContaining('api: postgres is unavailable'),
      },
      {
        level: 'info',
        obj: { dependency: 'postgres', downSeconds: 4.2, failures: 50 },
        msg: 'api: postgres is back after 4.2 s (50 requests refused meanwhile)',
      },
    ])
    // The next outage starts its own count.
    outage.failed(new Error('again'))
    outage.succeeded()
    expect(lines).toHaveLength(4)
    expect(lines[3]?.obj).toMatchObject({ failures: 1 })
  })
})
