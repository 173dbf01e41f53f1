/**
 * Which parts of a document the schema accepted. Every problem is reported in one pass: the
 * registry checks still run on the parts whose shape is right, and skip the rest (their problem
 * is already reported, and a check of a malformed value would only add noise).
 */
import type { Issue } from '../engine/errors.js'

export interface Shape {
  /** No problem at `path` nor above it: a container that can be walked into. */
  intact(path: string): boolean
  /** No problem at, above or below `path`: a value that can be used as it is. */
  clean(path: string): boolean
}

export function shapeFrom(issues: readonly Issue[]): Shape {
  const above = (issue: Issue, path: string) => path === issue.path || path.startsWith(`${issue.path}/`)
  return {
    intact: (path) => !issues.some((i) => above(i, path)),
    clean: (path) => !issues.some((i) => above(i, path) || i.path.startsWith(`${path}/`)),
  }
}
