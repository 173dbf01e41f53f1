import { fileURLToPath } from 'node:url'

/** The checkout's root: the working directory of the CLI processes the tests start. */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))
