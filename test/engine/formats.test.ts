import { fullFormats } from 'ajv-formats/dist/formats.js'
import { describe, expect, it } from 'vitest'
import { formats, isUri } from '../../src/engine/formats.js'

describe('the uri format', () => {
  it('accepts absolute URIs as RFC 3986 writes them', () => {
    for (const value of [
      'https://example.com',
      'https://discord.com/api/webhooks/123/abc-DEF_ghi',
      'http://user:pass@127.0.0.1:8080/a/b?x=1&y=%20#frag',
      'http://[::1]:3000/hook',
      'mailto:ops@example.com',
      'urn:isbn:0451450523',
    ])
      expect(isUri(value), value).toBe(true)
  })

  it('refuses what is not one: no scheme, spaces, bad escapes, bad hosts or ports, non-ASCII', () => {
    for (const value of [
      'example.com/path',
      '/relative/path',
      'not a url',
      'https://exa mple.com',
      'https://example.com/%zz',
      'http://[::1/hook',
      'https://example.com:99999/',
      'https://exämple.com/',
      'https://example.com/a\nb',
      '',
    ])
      expect(isUri(value), value).toBe(false)
  })

  it('is the one format that differs from ajv-formats: every other is theirs', () => {
    expect(Object.keys(formats).sort()).toEqual(Object.keys(fullFormats).sort())
    const differing = Object.keys(formats).filter(
      (name) => formats[name] !== fullFormats[name as keyof typeof fullFormats],
    )
    expect(differing).toEqual(['uri'])
  })
})
