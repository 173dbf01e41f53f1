/**
 * The scheduler figure's Redis side: the poll jobs waiting under a prefix, read from BullMQ's
 * wait list and grouped by hook job (their ids are `poll-<hookJobId>-<slotMs>`).
 */
import { Redis } from 'ioredis'
import { REDIS_URL } from './environment.js'

export interface PollJobCount {
  /** Job ids in the wait list, and how many of them are distinct. */
  jobs: number
  distinctIds: number
  /** Hook jobs with at least one poll job. */
  hookJobs: number
  /** Poll jobs beyond the first of their hook job: each one a double fire. */
  extraJobs: number
  /** Poll jobs for another slot than `slotMs`, and ids that are not poll jobs at all. */
  otherSlots: number
  notPolls: number
}

const POLL_ID = /^poll-([0-9a-f-]{36})-(\d+)$/

export async function countPollJobs(
  prefix: string,
  queueName: string,
  slotMs: number,
): Promise<PollJobCount> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  const ids: string[] = []
  try {
    const key = `${prefix}:${queueName}:wait`
    const length = await redis.llen(key)
    for (let start = 0; start < length; start += 10_000)
      ids.push(...(await redis.lrange(key, start, start + 9_999)))
  } finally {
    redis.disconnect()
  }
  const perHookJob = new Map<string, number>()
  let otherSlots = 0
  let notPolls = 0
  for (const id of ids) {
    const match = POLL_ID.exec(id)
    if (!match) {
      notPolls += 1
      continue
    }
    perHookJob.set(match[1]!, (perHookJob.get(match[1]!) ?? 0) + 1)
    if (Number(match[2]) !== slotMs) otherSlots += 1
  }
  let extraJobs = 0
  for (const count of perHookJob.values()) extraJobs += count - 1
  return {
    jobs: ids.length,
    distinctIds: new Set(ids).size,
    hookJobs: perHookJob.size,
    extraJobs,
    otherSlots,
    notPolls,
  }
}
