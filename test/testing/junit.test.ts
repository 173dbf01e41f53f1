/** The JUnit XML of `area test --junit`: counts, and text escaped for XML whatever it holds. */
import { describe, expect, it } from 'vitest'
import { junitXml } from '../../src/testing/junit.js'
import type { CaseResult } from '../../src/testing/suite.js'

const base: CaseResult = {
  name: 'a <b> & "c"',
  area: 'relay',
  areaAt: 'areas.yaml:1',
  file: 'relay.test.yaml',
  line: 3,
  event: 'inline',
  run: { status: 'done', reactions: [] },
  passed: false,
  failures: [
    {
      file: 'relay.test.yaml',
      line: 7,
      column: 9,
      path: '/tests/0/expect/status',
      message: 'the run ended <done> \u001b[31m & more',
      expected: 'failed',
      got: 'done',
    },
  ],
}

describe('junitXml', () => {
  it('escapes names and messages and drops what XML cannot hold', () => {
    const xml = junitXml({
      passed: false,
      files: [],
      cases: [
        base,
        { ...base, name: 'ok', passed: true, failures: [] },
        { ...base, file: undefined, name: 'example event', passed: true, failures: [] },
      ],
    })
    expect(xml).toContain('<testsuites name="area test" tests="3" failures="1" errors="0">')
    expect(xml).toContain('<testsuite name="relay.test.yaml" tests="2" failures="1" errors="0" skipped="0">')
    expect(xml).toContain('<testsuite name="area test" tests="1" failures="0" errors="0" skipped="0">')
    expect(xml).toContain('name="a &lt;b&gt; &amp; &quot;c&quot;"')
    expect(xml).toContain(
      'relay.test.yaml:7:9: /tests/0/expect/status: the run ended &lt;done&gt; [31m &amp; more\n  expected: "failed"\n  got:      "done"</failure>',
    )
    expect(xml).not.toContain('\u001b')
  })
})
