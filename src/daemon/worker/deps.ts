import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import type { Engine } from '../../engine/run.js'
import type { Logger } from '../../engine/types.js'
import type { SecretBox } from '../../secrets/secret-box.js'
import type { RefreshConnection } from '../../store/connection-credentials.js'
import type { ExecutionWriter } from '../../store/execution-writer.js'

import type { ExecutionJobData, JobContext } from '../queue/types.js'
import type { AreaCache } from './area-cache.js'
import type { ClaimBatcher } from './claim-batcher.js'
import type { FlowGate } from './flow-gate.js'
import type { RenderPool } from './render-pool.js'
import type { UserGate } from './user-gate.js'

export type { ExecutionJobData, PollJobData } from '../queue/types.js'

/** The part of a job's context the handlers use. */
export type AttemptContext = Pick<JobContext, 'attempt' | 'maxAttempts' | 'signal'>

/** What the worker's handlers need, passed in so tests and roles wire them freely. */
export interface WorkerDeps {
  db: Kysely<Database>
  engine: Engine
  secrets: SecretBox
  logger: Logger
  /** Best effort: the scheduler's sweeper enqueues whatever this fails to. */
  enqueueExecutions(jobs: ExecutionJobData[]): Promise<void>
  /** How long a worker owns an event before another may take it over. */
  leaseSeconds: number
  /**
   * AREA_RETRY_ATTEMPTS: a run's attempts when its failing reaction names none; without it, the
   * queue's attempts (the job's maxAttempts).
   */
  retryAttempts?: number
  /** Refreshes OAuth 2 tokens near expiry (features/connections); without it they are used as stored. */
  refreshConnection?: RefreshConnection
  /** Loaded AREAs kept between events; without it every event loads its AREA. */
  areas?: AreaCache
  /** Claims shared between concurrent jobs; without it each event claims on its own. */
  claims?: ClaimBatcher
  /** Outcome and end writes shared between concurrent jobs; without it each is its own statement. */
  writes?: ExecutionWriter
  /** Reactions of one event at once, and the for_each cap; without it, the engine's defaults. */
  graph?: { concurrency: number; maxItems: { count: number; setting: string } }
  /** The AREAs' flow control (concurrency, rate_limit, debounce); without it, none is applied. */
  flow?: FlowGate
  /** What one tenant may take from the others; without it, no budgets, ceilings or shares. */
  tenancy?: WorkerTenancy
}

/** docs/architecture.md, "One tenant against the others". */
export interface WorkerTenancy {
  templateBudget: { timeMs: number; maxBytes: number; settings: { timeMs: string; maxBytes: string } }
  reactionTimeout: { ms: number; setting: string }
  /** Render threads; without them templates render on the main thread (within the budget). */
  render?: RenderPool
  /** Each user's share of the worker slots. */
  gate?: UserGate
}
