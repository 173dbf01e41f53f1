/**
 * The commands that run without a server, as one module: `npm run build` bundles it with oclif,
 * TypeBox, yaml, LiquidJS and Ajv into dist/offline-bundle.cjs, which bin/run.js loads for them
 * instead of @oclif/core and the ~500 modules they import one by one (issue 12; docs/architecture.md,
 * "CLI start-up"). oclif finds them through `COMMANDS` (its "explicit" command discovery).
 */
import Test from './commands/test.js'
import Validate from './commands/validate.js'

export { execute } from '@oclif/core'

export const COMMANDS = { test: Test, validate: Validate }
