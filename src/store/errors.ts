import { AreaError } from '../engine/errors.js'

export class AreaNotFoundError extends AreaError {
  constructor(name: string) {
    super('area_not_found', `no AREA named "${name}"`)
  }
}

export class AreaExistsError extends AreaError {
  constructor(name: string) {
    super('area_exists', `an AREA named "${name}" already exists; use \`area apply\` to update it`)
  }
}
