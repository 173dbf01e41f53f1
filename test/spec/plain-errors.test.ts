/**
 * Validation in plain language (issue 12, point 8): every problem of a document in one pass, each
 * in the words of the AREA file (no regex, no schema keywords), with did-you-mean for near misses.
 */
import { describe, expect, it } from 'vitest'
import { createRegistry } from '../../src/engine/registry.js'
import { builtinServices } from '../../src/services/index.js'
import { validateSources } from '../../src/spec/validate-files.js'

const registry = createRegistry(builtinServices)

const located = (text: string) =>
  validateSources([{ name: 'a.yaml', text }], registry, {}).issues.map(
    (i) => `${i.line}:${i.column} ${i.path}: ${i.message}`,
  )

describe('plain-language validation', () => {
  it('reports schema and registry problems of one document together, each in plain words', () => {
    const issues = located(
      [
        'apiVersion: area/v2', // 1
        'kind: area', // 2
        'metadata:', // 3
        '  name: Daily_Report', // 4
        '  descrption: x', // 5
        'spec:', // 6
        '  enabled: yes', // 7
        '  action:', // 8
        '    service: timer', // 9
        '    action: evry', // 10
        '    trigger: { polling: { interval: "5" } }', // 11
        '  reactions:', // 12
        '    - id: ping', // 13
        '      service: htp', // 14
        '      reaction: request', // 15
        '    - id: Second', // 16
        '      service: http', // 17
        '      reaction: request', // 18
        '      params: { url: "http://127.0.0.1:9/", method: PSOT, timout: 5s }', // 19
      ].join('\n'),
    )
    expect(issues).toEqual([
      '1:13 /apiVersion: must be a version this area reads (area/v1), not "area/v2"',
      '2:7 /kind: must be Area, not "area"; did you mean "Area"?',
      '4:9 /metadata/name: must be lowercase letters, digits and dashes, starting and ending with a letter or digit (e.g. daily-report), not "Daily_Report"',
      '5:3 /metadata/descrption: is not a known field; did you mean "description"? (known: name, description, labels)',
      '7:12 /spec/enabled: must be true or false, not "yes"',
      '10:13 /spec/action/action: service "timer" has no action "evry"; did you mean "every"? (actions: every, cron)',
      '11:37 /spec/action/trigger/polling/interval: must be a duration such as 30s, 5m or 1h30m (whole numbers with units d, h, m, s, largest first), not "5"',
      '14:16 /spec/reactions/0/service: unknown service "htp"; did you mean "http"? (services: timer, http, webhook, rss, github, discord, slack, email)',
      '16:11 /spec/reactions/1/id: must start with a lowercase letter, then lowercase letters, digits or _ (e.g. notify_team), not "Second"',
      '19:53 /spec/reactions/1/params/method: must be one of: GET, POST, PUT, PATCH, DELETE, HEAD, not "PSOT"; did you mean "POST"?',
      '19:59 /spec/reactions/1/params/timout: is not a known field; did you mean "timeout"? (known: method, url, headers, body, timeout)',
    ])
    expect(issues.join('\n')).not.toMatch(/\\d|\^|anyOf|pattern|constant/)
  })

  it('reads a trigger written as a word or as a mapping the way it was meant', () => {
    const doc = (trigger: string, params = '{ url: https://example.com/feed }') =>
      [
        'apiVersion: area/v1',
        'kind: Area',
        'metadata: { name: feed }',
        'spec:',
        `  action: { service: http, action: json_changed, trigger: ${trigger}, params: ${params} }`,
        '  reactions: [{ id: a, service: http, reaction: request, params: { url: "http://127.0.0.1:9/" } }]',
      ].join('\n')
    expect(located(doc('pollin'))).toEqual([
      '5:59 /spec/action/trigger: must be one of: webhook, polling, { polling: { interval: 60s } }, not "pollin"; did you mean "polling"?',
    ])
    // One mistake, one issue: not also "polling is required".
    expect(located(doc('{ poling: { interval: 5m } }'))).toEqual([
      '5:61 /spec/action/trigger/poling: is not a known field; did you mean "polling"? (known: polling)',
    ])
    // A bad param and a bad interval: both in one run.
    expect(located(doc('{ polling: { interval: 5 } }', '{ url: 7 }'))).toEqual([
      '5:82 /spec/action/trigger/polling/interval: must be a duration such as 30s, 5m or 1h30m (whole numbers with units d, h, m, s, largest first), not 5',
      '5:104 /spec/action/params/url: must be text, not 7',
    ])
  })
})
