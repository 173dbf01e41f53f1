/**
 * Per-user quotas and input limits (README, "Bad input and quotas"): what one account may hold and
 * ask for, so that no tenant takes the service from the others. Each has a setting; a request
 * over one gets a 4xx naming the limit and the setting.
 */
import { type Env, integer } from './config-values.js'

export interface LimitsSettings {
  /** AREAs one user may have (AREA_MAX_AREAS_PER_USER). */
  maxAreasPerUser: number
  /** The shortest polling or timer interval an apply accepts (AREA_MIN_POLL_INTERVAL_SECONDS). */
  minPollIntervalSeconds: number
  /** Open log streams (`area logs --follow`) per user and API process (AREA_MAX_LOG_STREAMS_PER_USER). */
  maxLogStreamsPerUser: number
  /** Documents in one `POST /v1/areas/apply` (AREA_MAX_APPLY_DOCUMENTS). */
  maxApplyDocuments: number
  /** Revisions kept per AREA for `area history` / `rollback` (AREA_MAX_REVISIONS_PER_AREA). */
  maxRevisionsPerArea: number
  /** Secrets one user may store, `area secrets set` (AREA_MAX_SECRETS_PER_USER). */
  maxSecretsPerUser: number
  /** Events one bulk `area replay` / `POST /v1/replays` takes at most (AREA_MAX_REPLAY_EVENTS). */
  maxReplayEvents: number
}

/** Revisions kept per AREA unless AREA_MAX_REVISIONS_PER_AREA says otherwise. */
export const DEFAULT_MAX_REVISIONS_PER_AREA = 20

/** Server mode: a shared database, or an API listening beyond loopback. */
const SERVER_MIN_POLL_INTERVAL_SECONDS = 30
/** A laptop (`area dev`, embedded, loopback only): a 1 s timer is handy while trying things out. */
const LOCAL_MIN_POLL_INTERVAL_SECONDS = 1

export function readLimitsSettings(env: Env, problems: string[]): LimitsSettings {
  const server = Boolean(env.DATABASE_URL) || (Boolean(env.HOST) && !isLoopback(env.HOST!))
  return {
    maxAreasPerUser: integer(env, 'AREA_MAX_AREAS_PER_USER', 1_000, problems, { min: 1, max: 10_000_000 }),
    minPollIntervalSeconds: integer(
      env,
      'AREA_MIN_POLL_INTERVAL_SECONDS',
      server ? SERVER_MIN_POLL_INTERVAL_SECONDS : LOCAL_MIN_POLL_INTERVAL_SECONDS,
      problems,
      { min: 1, max: 86_400 },
    ),
    maxLogStreamsPerUser: integer(env, 'AREA_MAX_LOG_STREAMS_PER_USER', 5, problems, { min: 1, max: 10_000 }),
    maxApplyDocuments: integer(env, 'AREA_MAX_APPLY_DOCUMENTS', 500, problems, { min: 1, max: 10_000 }),
    maxRevisionsPerArea: integer(
      env,
      'AREA_MAX_REVISIONS_PER_AREA',
      DEFAULT_MAX_REVISIONS_PER_AREA,
      problems,
      { min: 1, max: 1_000 },
    ),
    maxSecretsPerUser: integer(env, 'AREA_MAX_SECRETS_PER_USER', 100, problems, { min: 1, max: 100_000 }),
    maxReplayEvents: integer(env, 'AREA_MAX_REPLAY_EVENTS', 100, problems, { min: 1, max: 10_000 }),
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.')
}
