/**
 * SUPABASE_URL and SUPABASE_ANON_KEY in the daemon's configuration: both or neither, a URL that
 * parses, and every problem listed with the others at start.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadDaemonConfig } from '../../src/daemon/config.js'

// A shared database and a key: no file is touched.
const base = {
  DATABASE_URL: 'postgres://127.0.0.1:5432/unused',
  AREA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
}
const load = (env: Record<string, string>) => loadDaemonConfig({ ...base, ...env }, { roles: ['all'] })
const problemsOf = (env: Record<string, string>) => {
  try {
    load(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  throw new Error('the configuration was accepted')
}

describe('Supabase settings', () => {
  it('are off when neither is set (empty counts as unset)', () => {
    expect(load({}).supabase).toBeUndefined()
    expect(load({ SUPABASE_URL: '', SUPABASE_ANON_KEY: '' }).supabase).toBeUndefined()
  })

  it('are read when both are set, the URL without its trailing slash', () => {
    expect(load({ SUPABASE_URL: 'https://abcd.supabase.co/', SUPABASE_ANON_KEY: 'anon' }).supabase).toEqual({
      url: 'https://abcd.supabase.co',
      anonKey: 'anon',
    })
    expect(load({ SUPABASE_URL: 'http://127.0.0.1:54321', SUPABASE_ANON_KEY: 'k' }).supabase?.url).toBe(
      'http://127.0.0.1:54321',
    )
  })

  it('refuses one without the other, naming the missing one', () => {
    expect(problemsOf({ SUPABASE_URL: 'https://abcd.supabase.co' })).toEqual([
      expect.stringMatching(/^SUPABASE_URL is set but SUPABASE_ANON_KEY is not/),
    ])
    expect(problemsOf({ SUPABASE_ANON_KEY: 'anon' })).toEqual([
      expect.stringMatching(/^SUPABASE_ANON_KEY is set but SUPABASE_URL is not/),
    ])
  })

  it('refuses a URL that does not parse or is not http(s), listed with the other problems', () => {
    for (const url of ['abcd.supabase.co', 'ftp://abcd.supabase.co', 'https://abcd.supabase.co/?x=1']) {
      expect(problemsOf({ SUPABASE_URL: url, SUPABASE_ANON_KEY: 'anon' })).toEqual([
        expect.stringContaining(
          `SUPABASE_URL must be the project's http(s) URL, e.g. https://abcd.supabase.co (got "${url}")`,
        ),
      ])
    }
    const problems = problemsOf({ SUPABASE_URL: 'nope', SUPABASE_ANON_KEY: 'anon', AREA_SIGNUP: 'maybe' })
    expect(problems).toHaveLength(2)
    expect(problems.join('\n')).toContain('AREA_SIGNUP')
  })
})
