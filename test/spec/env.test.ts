// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the AREA file's own syntax, written literally here
import { describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'
import { substituteEnv, substituteEnvInDocument } from '../../src/spec/env.js'

describe('substituteEnv', () => {
  const env = { HOST: 'example.com', EMPTY: '', PORT: '8080' }

  it('replaces set variables and uses defaults for unset or empty ones', () => {
    expect(substituteEnv('https://${HOST}:${PORT}/x', env)).toMatchObject({
      text: 'https://example.com:8080/x',
      problems: [],
      references: 2,
      whole: false,
    })
    expect(substituteEnv('${MISSING:-fallback}', env).text).toBe('fallback')
    expect(substituteEnv('${EMPTY:-fallback}', env).text).toBe('fallback')
    expect(substituteEnv('${HOST:-fallback}', env).text).toBe('example.com')
    // A default may be empty, and may hold ':' and '/' (URLs).
    expect(substituteEnv('[${MISSING:-}]', env).text).toBe('[]')
    expect(substituteEnv('${MISSING:-http://127.0.0.1:8080/healthz}', env).text).toBe(
      'http://127.0.0.1:8080/healthz',
    )
  })

  it('resolves references nested in a default: the first variable set, else the last default', () => {
    const nested = '${SINK:-${BASE:-http://127.0.0.1:8080}/healthz}?x=1'
    expect(substituteEnv(nested, env)).toMatchObject({
      text: 'http://127.0.0.1:8080/healthz?x=1',
      problems: [],
    })
    expect(substituteEnv(nested, { BASE: 'http://127.0.0.1:18300' }).text).toBe(
      'http://127.0.0.1:18300/healthz?x=1',
    )
    expect(substituteEnv(nested, { SINK: 'https://sink.test/in', BASE: 'ignored' }).text).toBe(
      'https://sink.test/in?x=1',
    )
    expect(substituteEnv('${A:-${B:-${C:-deep}}}', {}).text).toBe('deep')
    expect(substituteEnv('${A:-${B:-${C:-deep}}}', {}).whole).toBe(true)
    // An unset variable without default is an error only where its default is used, at its offset.
    expect(substituteEnv('${HOST:-${NOPE}}', env).problems).toEqual([])
    const unset = substituteEnv('x ${A:-${NOPE}}', env)
    expect(unset.problems.map((p) => [p.index, p.message.slice(0, 31)])).toEqual([
      [7, 'environment variable NOPE is no'],
    ])
    // A bare `{` in a default is text, as before; an unclosed nested reference is malformed.
    expect(substituteEnv('${A:-{x}}', env).text).toBe('{x}')
    expect(substituteEnv('${A:-${B:-x}', env).problems[0]?.message).toContain('is not a variable reference')
  })

  it('keeps an empty variable without default as empty', () => {
    expect(substituteEnv('a${EMPTY}b', env)).toMatchObject({ text: 'ab', problems: [] })
  })

  it('names an unset variable and where its reference starts', () => {
    const result = substituteEnv('Bearer ${API_TOKEN}', env)
    expect(result.problems).toEqual([
      {
        index: 7,
        message:
          'environment variable API_TOKEN is not set: set it, or give a default with ${API_TOKEN:-value}',
      },
    ])
  })

  it('turns $${VAR} into a literal ${VAR}', () => {
    expect(substituteEnv('cost: $${HOST} and ${HOST}', env).text).toBe('cost: ${HOST} and example.com')
  })

  it('leaves {{ … }} and {% … %} templates untouched, references inside them included', () => {
    const text = '{{ trigger.a }} ${HOST} {{ "${HOST}" }} {% if trigger.b %}${PORT}{% endif %}'
    expect(substituteEnv(text, env).text).toBe(
      '{{ trigger.a }} example.com {{ "${HOST}" }} {% if trigger.b %}8080{% endif %}',
    )
  })

  it('leaves a bare $VAR alone and reports malformed references', () => {
    expect(substituteEnv('$HOST costs $5', env)).toMatchObject({ text: '$HOST costs $5', problems: [] })
    const result = substituteEnv('x ${1ABC} ${HOST', env)
    expect(result.problems.map((p) => p.index)).toEqual([2, 10])
    expect(result.problems[0]?.message).toContain('"${1ABC}" is not a variable reference')
    expect(result.problems[0]?.message).toContain('$${ for a literal ${')
  })

  it('says whether the text was exactly one reference', () => {
    expect(substituteEnv('${PORT}', env).whole).toBe(true)
    expect(substituteEnv('${PORT:-1}', env).whole).toBe(true)
    expect(substituteEnv(' ${PORT}', env).whole).toBe(false)
  })
})

describe('substituteEnvInDocument', () => {
  function run(source: string, env: Record<string, string>) {
    const yaml = parseDocument(source)
    const problems = substituteEnvInDocument(yaml, env, source)
    return { value: yaml.toJS() as Record<string, unknown>, problems }
  }

  it('substitutes values, not keys', () => {
    const { value } = run('${KEY}: ${VALUE}\nlist: [a, "${VALUE}"]\n', { KEY: 'k', VALUE: 'v' })
    expect(value).toEqual({ '${KEY}': 'v', list: ['a', 'v'] })
  })

  it('gives an unquoted lone reference the type its text reads as, and keeps quoted ones text', () => {
    const source =
      'port: ${PORT:-8080}\nratio: ${RATIO:-0.5}\non: ${ON:-true}\nquoted: "${PORT:-8080}"\nmixed: ${PORT:-8080}s\nword: ${W:-yes}\n'
    expect(run(source, {}).value).toEqual({
      port: 8080,
      ratio: 0.5,
      on: true,
      quoted: '8080',
      mixed: '8080s',
      word: 'yes',
    })
  })

  it('reports each unset variable with the JSON pointer of its value and the offset of the reference', () => {
    const source = 'spec:\n  list:\n    - url: "https://${HOST}/x"\n      token: plain ${TOKEN} here\n'
    const { problems } = run(source, {})
    expect(problems.map((p) => [p.path, p.offset, p.message.split(':')[0]])).toEqual([
      ['/spec/list/0/url', source.indexOf('${HOST}'), 'environment variable HOST is not set'],
      ['/spec/list/0/token', source.indexOf('${TOKEN}'), 'environment variable TOKEN is not set'],
    ])
  })

  it('falls back to the start of the value when escapes hide the reference in the source', () => {
    const source = 'a: "\\x24{HOST}"\n'
    const { problems } = run(source, {})
    expect(problems).toHaveLength(1)
    expect(problems[0]?.offset).toBe(source.indexOf('"'))
  })

  it('substitutes an anchored value once, and its aliases see the result', () => {
    const { value } = run('a: &url ${URL:-http://x}\nb: *url\n', {})
    expect(value).toEqual({ a: 'http://x', b: 'http://x' })
  })
})
