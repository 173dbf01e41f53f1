/** The AREA name arguments, said the same way by every command that takes one. */
import { Args } from '@oclif/core'

/** One AREA, by name. */
export const areaArgs = { name: Args.string({ description: 'The AREA name.', required: true }) }

/** One AREA, or all of them when left out (`get`, `export`). */
export const someAreasArgs = { name: Args.string({ description: 'An AREA name; all AREAs when left out.' }) }
