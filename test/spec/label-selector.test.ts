import { describe, expect, it } from 'vitest'
import { matchesLabels, parseLabelSelector } from '../../src/spec/label-selector.js'

describe('parseLabelSelector', () => {
  it('reads every kubectl form, comma meaning and', () => {
    expect(
      parseLabelSelector('team=infra, tier==web,env!=prod,zone in (a, b),stage notin (x),owner,!archived'),
    ).toEqual([
      { key: 'team', op: 'in', values: ['infra'] },
      { key: 'tier', op: 'in', values: ['web'] },
      { key: 'env', op: 'notin', values: ['prod'] },
      { key: 'zone', op: 'in', values: ['a', 'b'] },
      { key: 'stage', op: 'notin', values: ['x'] },
      { key: 'owner', op: 'exists' },
      { key: 'archived', op: 'absent' },
    ])
    expect(parseLabelSelector('')).toEqual([])
    expect(parseLabelSelector('example.com/team=a')).toEqual([
      { key: 'example.com/team', op: 'in', values: ['a'] },
    ])
  })

  it.each([
    ['team=infra,', /empty requirement/],
    ['team in (a,b', /not closed/],
    ['team in a', /not a requirement/],
    ['team in ()', /lists no values/],
    ['=infra', /not a requirement|not a label key/],
    ['team=in fra', /not a label value/],
    ['te am', /not a requirement/],
  ])('refuses %j with a message that says what is wrong', (selector, problem) => {
    expect(() => parseLabelSelector(selector)).toThrow(problem)
    expect(() => parseLabelSelector(selector)).toThrow(`invalid label selector "${selector}"`)
    expect(() => parseLabelSelector(selector)).not.toThrow(/\n/)
  })
})

describe('matchesLabels', () => {
  const labels = { team: 'infra', env: 'prod' }
  it.each([
    ['team=infra', true],
    ['team=web', false],
    ['team!=web', true],
    ['owner!=x', true],
    ['team in (web,infra)', true],
    ['team notin (infra)', false],
    ['owner notin (x)', true],
    ['team,env=prod', true],
    ['team,!env', false],
    ['!owner', true],
  ])('%s → %s', (selector, expected) => {
    expect(matchesLabels(labels, parseLabelSelector(selector))).toBe(expected)
  })
})
