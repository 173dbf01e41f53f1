/**
 * Bounds on what the AREA file reader accepts. An AREA file is a few kilobytes written by a
 * person; these limits sit far above that and far below what makes the YAML parser slow or
 * memory-hungry, so a hostile or accidental input is refused in milliseconds.
 */

/** Per file (and for stdin). */
export const MAX_FILE_BYTES = 1024 * 1024

/**
 * Lexer tokens per file: about 150 per AREA, so roughly 600 AREAs. Composing time grows with
 * the token count (and worse than linearly for some shapes), so it is bounded before composing.
 */
export const MAX_YAML_TOKENS = 100_000

/** Documents per file. */
export const MAX_DOCUMENTS = 1_000

/**
 * Nesting of flow collections (`[`/`{`). The parser slows down sharply with depth: 100,000
 * nested `{` take minutes. No AREA needs more than a handful of levels.
 */
export const MAX_FLOW_DEPTH = 64

/**
 * Alias expansion budget per document (eemeli/yaml's `maxAliasCount`): aliases that expand to
 * aliases grow exponentially (the "billion laughs" attack); this stops them early.
 */
export const MAX_ALIAS_COUNT = 100

/** Files read from the directories named by `-f` (a directory holding more is probably a mistake). */
export const MAX_FILES = 1_000

/**
 * The longest polling interval, 10 years: beyond it a next run cannot be stored (the interval
 * column is a 32-bit integer of seconds) nor, far enough, even computed as a date.
 */
export const MAX_POLL_INTERVAL_SECONDS = 3650 * 86_400
