/**
 * An action's event or a reaction's output as `area services describe` prints it: one row per
 * field (nested ones as dotted paths, `issue.user.login`, `commits[].id`), then the example.
 * An open object (`object, open`) has other fields beside those listed (docs/architecture.md,
 * "Typed events").
 */
import { stringify } from 'yaml'
import type { Colors } from './colors.js'
import { fieldRows } from './schema-fields.js'
import { formatTable } from './table.js'

export function shapeLines(
  title: string,
  schema: unknown,
  exampleTitle: string,
  example: unknown,
  c: Colors,
): string[] {
  const lines: string[] = []
  const rows = fieldRows(schema)
  const root = schema as { additionalProperties?: unknown } | null | undefined
  const open = root?.additionalProperties === true
  if (schema) {
    lines.push(`  ${title}${open ? ' (open: any other field the sender sends)' : ''}:`)
    const table = formatTable(
      ['FIELD', 'TYPE', 'DESCRIPTION'],
      rows.map((f) => [f.path, f.required ? f.type : `${f.type}, optional`, f.description]),
      { header: c.dim },
    )
    if (rows.length) lines.push(...table.split('\n').map((l) => `    ${l}`))
  }
  if (example !== null && example !== undefined) {
    lines.push(
      `  ${exampleTitle}:`,
      // Repeated objects (a push's head_commit is also in commits) are written out, not aliased.
      ...stringify(example, { aliasDuplicateObjects: false })
        .trimEnd()
        .split('\n')
        .map((l) => `    ${l}`),
    )
  }
  return lines
}
