/**
 * A flag's own parser refusing its value. oclif rewrites the message of whatever a flag's parse
 * throws ("Parsing --x \n\t… See more help with --help"), so the plain message is kept apart and
 * the base command reports that one.
 */
export class FlagValueError extends Error {
  readonly plain: string
  constructor(message: string) {
    super(message)
    this.name = 'FlagValueError'
    this.plain = message
  }
}
