/**
 * What a use case may use, in one argument. The daemon's context (daemon/context.ts) satisfies
 * it as it is; the CLI's `area dev` and tests pass theirs. A use case names the parts it needs
 * with `Pick<FeatureContext, …>`, so a test builds only those.
 */
import type { Kysely } from 'kysely'
import type { DaemonConfig } from '../daemon/config.js'
import type { JobQueue } from '../daemon/queue/types.js'
import type { Database } from '../db/schema.js'
import type { Registry } from '../engine/registry.js'
import type { Engine } from '../engine/run.js'
import type { Logger } from '../engine/types.js'
import type { SecretBox } from '../secrets/secret-box.js'

export interface FeatureContext {
  /** `driver` tells a single connection (embedded PGlite) from a pool, for work that must yield it. */
  store: { db: Kysely<Database>; driver?: 'pglite' | 'postgres' }
  secrets: SecretBox
  registry: Registry
  engine: Engine
  /** The settings use cases act on: where webhooks are sent, who may sign up, Supabase Auth, quotas. */
  config: Pick<DaemonConfig, 'publicUrl' | 'signup' | 'supabase' | 'limits'>
  logger: Logger
  queue: { jobs: Pick<JobQueue, 'enqueueExecutions'> }
}
