import { describe, expect, it } from 'vitest'
import { type FileIssue, sortIssues } from '../../src/spec/file-issue.js'

const issue = (file: string, line: number, path: string): FileIssue => ({
  file,
  document: 1,
  line,
  column: 3,
  path,
  message: 'wrong',
})

describe('sortIssues', () => {
  it('orders by file as given, then line and column, then path by code unit', () => {
    const sorted = sortIssues(
      [
        issue('b.yaml', 1, '/spec'),
        issue('a.yaml', 9, '/spec/reactions/0/params/text'),
        issue('a.yaml', 9, '/spec/reactions/0/params/Url'),
        issue('a.yaml', 2, '/metadata/name'),
      ],
      ['a.yaml', 'b.yaml'],
    )
    // Code units put "U" before "t", where a locale's collation would not: the order is the
    // same on every machine, whatever its locale.
    expect(sorted.map((i) => `${i.file}:${i.line} ${i.path}`)).toEqual([
      'a.yaml:2 /metadata/name',
      'a.yaml:9 /spec/reactions/0/params/Url',
      'a.yaml:9 /spec/reactions/0/params/text',
      'b.yaml:1 /spec',
    ])
  })
})
