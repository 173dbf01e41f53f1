/**
 * Statements run for every event (claim, end, ingest insert) are prepared once per connection on
 * Postgres: parsing and planning them each time cost about a third of the server's CPU per event.
 * A module registers its statement text here; the Postgres pool wrapper (open-postgres.ts) sends
 * registered texts as named statements. PGlite runs them as they are.
 */
const names = new Map<string, string>()

/** Registers `text` under `name` (unique per text) and returns the text. */
export function prepared(name: string, text: string): string {
  const known = names.get(text)
  if (known !== undefined && known !== name) throw new Error(`statement registered twice: ${known}, ${name}`)
  names.set(text, name)
  return text
}

export function preparedName(text: string): string | undefined {
  return names.get(text)
}
