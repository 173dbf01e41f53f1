/**
 * Who manages an AREA (scoped GitOps, docs/architecture.md "Owners"): an apply may name an
 * owner, a pipeline or a person (`area apply --owner infra-ci`). The owner is recorded on each
 * AREA the apply writes; an AREA with an owner is then changed by applies of that owner only, and
 * `--prune` deletes only AREAs of the apply's own owner (none: only AREAs without one). Two
 * pipelines sharing an account so cannot overwrite or delete each other's AREAs by mistake.
 *
 * A guard against mistakes, not a permission: every token of the account may still take an AREA
 * over (`--take-ownership`) or `area delete` it by name. Another account's AREAs are out of reach
 * anyway (every query is scoped to the caller).
 */
import type { Issue } from '../../engine/errors.js'

/** What an apply says about ownership; undefined (rollback) leaves the owner as it is, unchecked. */
export interface Ownership {
  /** The apply's owner; null: it declares none. */
  owner: string | null
  /** Move AREAs owned by someone else to `owner` instead of refusing them. */
  take: boolean
}

/** Lowercase letters, digits, `.`, `_`, `-`, and `/` for a pipeline path: 1 to 63 characters. */
export const ownerPattern = '^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$'
const ownerRegex = new RegExp(ownerPattern)

/** A plain-words reason when `owner` is not a usable owner name, else undefined. */
export function ownerNameProblem(owner: string): string | undefined {
  if (ownerRegex.test(owner)) return undefined
  return `"${owner}" is not an owner name: use 1 to 63 lowercase letters, digits, ".", "_", "-" or "/", starting and ending with a letter or digit (e.g. infra-ci)`
}

/** The refusal when `ownership` may not write the AREA `name`, owned by `current`; else undefined. */
export function ownershipIssue(
  name: string,
  current: string | null,
  ownership: Ownership,
): Issue | undefined {
  if (current === null || current === ownership.owner || ownership.take) return undefined
  const by =
    ownership.owner === null ? 'this apply declares no owner' : `this apply's owner is "${ownership.owner}"`
  return {
    path: '/metadata/name',
    message:
      `"${name}" is owned by "${current}" and ${by}: apply it with --owner ${current}, ` +
      'or add --take-ownership to move it to this apply',
  }
}

/** The owner the AREA has once written: the apply's when it may write it, else unchanged. */
export function ownerAfter(current: string | null, ownership: Ownership | undefined): string | null {
  if (!ownership) return current
  return ownership.owner ?? (ownership.take ? null : current)
}
