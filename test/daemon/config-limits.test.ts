import { describe, expect, it } from 'vitest'
import { loadDaemonConfig } from '../../src/daemon/config.js'
import { readLimitsSettings } from '../../src/daemon/config-limits.js'

const read = (env: Record<string, string>) => {
  const problems: string[] = []
  return { limits: readLimitsSettings(env, problems), problems }
}

describe('quota settings', () => {
  it('default to limits a shared server can live with, and to 1 s timers on a laptop', () => {
    const server = read({ DATABASE_URL: 'postgres://db/area' })
    expect(server).toEqual({
      limits: {
        maxAreasPerUser: 1_000,
        minPollIntervalSeconds: 30,
        maxLogStreamsPerUser: 5,
        maxApplyDocuments: 500,
        maxRevisionsPerArea: 20,
        maxSecretsPerUser: 100,
        maxReplayEvents: 100,
      },
      problems: [],
    })
    expect(read({ HOST: '0.0.0.0' }).limits.minPollIntervalSeconds).toBe(30)
    expect(read({}).limits.minPollIntervalSeconds).toBe(1)
    expect(read({ HOST: '127.0.0.1' }).limits.minPollIntervalSeconds).toBe(1)
  })

  it('take every setting from the environment', () => {
    expect(
      read({
        DATABASE_URL: 'postgres://db/area',
        AREA_MAX_AREAS_PER_USER: '20',
        AREA_MIN_POLL_INTERVAL_SECONDS: '5',
        AREA_MAX_LOG_STREAMS_PER_USER: '2',
        AREA_MAX_APPLY_DOCUMENTS: '50',
        AREA_MAX_REVISIONS_PER_AREA: '3',
        AREA_MAX_SECRETS_PER_USER: '7',
        AREA_MAX_REPLAY_EVENTS: '9',
      }).limits,
    ).toEqual({
      maxAreasPerUser: 20,
      minPollIntervalSeconds: 5,
      maxLogStreamsPerUser: 2,
      maxApplyDocuments: 50,
      maxRevisionsPerArea: 3,
      maxSecretsPerUser: 7,
      maxReplayEvents: 9,
    })
  })

  it('report a bad value with the variable’s name and range, through the daemon config', () => {
    expect(() =>
      loadDaemonConfig(
        {
          AREA_DATA_DIR: '/tmp/area-config-limits-test',
          AREA_MAX_AREAS_PER_USER: '0',
          AREA_MIN_POLL_INTERVAL_SECONDS: 'x',
        },
        { roles: ['all'], port: 0 },
      ),
    ).toThrow(
      /AREA_MAX_AREAS_PER_USER must be a whole number from 1 to .*\n.*AREA_MIN_POLL_INTERVAL_SECONDS must be/s,
    )
  })
})
