/**
 * The cap on concurrent password hashes (issue 11, point 14): at most `hashConcurrency` run, at
 * most `hashQueue` wait, and the rest are refused at once with 503 and Retry-After.
 */
import { describe, expect, it } from 'vitest'
import { createSigninGuard, SigninThrottledError } from '../../../src/features/accounts/signin-guard.js'

describe('password hash cap', () => {
  it('runs two at a time, queues two, refuses the fifth with busy', async () => {
    const guard = createSigninGuard({
      accountFailures: 5,
      addressAttempts: 5,
      windowSeconds: 60,
      hashConcurrency: 2,
      hashQueue: 2,
    })
    let running = 0
    let most = 0
    const releases: (() => void)[] = []
    const task = () =>
      new Promise<string>((resolve) => {
        running += 1
        most = Math.max(most, running)
        releases.push(() => {
          running -= 1
          resolve('hashed')
        })
      })
    const accepted = [guard.hash(task), guard.hash(task), guard.hash(task), guard.hash(task)]
    const refused = await guard.hash(task).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(SigninThrottledError)
    expect(refused).toMatchObject({ code: 'busy', retryAfterSeconds: 1 })
    // Let each running task finish; the queued ones then start, never more than two at once.
    while (releases.length > 0 || running > 0) {
      await new Promise((resolve) => setImmediate(resolve))
      releases.shift()?.()
    }
    expect(await Promise.all(accepted)).toEqual(['hashed', 'hashed', 'hashed', 'hashed'])
    expect(most).toBe(2)
  })
})
