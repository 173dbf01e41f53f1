/**
 * AREAs as documents that `area apply` accepts unchanged: what `export` prints, and `get -o
 * yaml|json`. The stored document comes back in the database's key order; it is printed in the
 * schema's (area-diff.ts).
 */
import { stringify } from 'yaml'
import type { AreaDetails } from './api-types.js'
import { inSchemaOrder } from './area-diff.js'
import { jsonText } from './base-command.js'
import { terminalDocument } from './terminal-text.js'

export type AreaDocuments = AreaDetails['spec'][]

/** The applied documents of these AREAs, in the schema's key order. */
export function documentsOf(areas: readonly { spec: AreaDetails['spec'] }[]): AreaDocuments {
  return areas.map((area) => inSchemaOrder(area.spec) as AreaDetails['spec'])
}

/** One YAML document per AREA, separated by `---`. */
export function documentsYaml(documents: AreaDocuments): string {
  return terminalDocument(
    documents.map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n'),
    process.stdout,
  )
}

/** The documents as one JSON array. */
export function documentsJson(documents: AreaDocuments): string {
  return jsonText(documents)
}
