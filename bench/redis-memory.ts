/**
 * The Redis memory row of the targets (docs/architecture.md, "Performance"): used_memory after the
 * worker figure's executions, beside before them and with all their jobs queued, under the
 * retention the daemon runs with (the queue's defaults: createQueue in context.ts passes none).
 * Bounded means the completed jobs kept stay within the retention count and less is left than the
 * queued jobs took.
 */
import { resolveRetention } from '../src/daemon/queue/retention.js'
import { prefixMemory, redisUsedMemory } from './environment.js'
import { type Figure, formatNumber, row, sleep } from './report.js'

// BullMQ's default for the queue's events stream (QueueOptions.streams.events.maxLen).
const EVENTS_STREAM_MAX_LEN = 10_000
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10
const hours = (ms: number) => `${ms / 3_600_000} h`

/** used_memory once Redis has freed what was just deleted (UNLINK may free in the background). */
export async function settledUsedMemory(): Promise<number> {
  await sleep(500)
  return redisUsedMemory()
}

export async function redisMemoryFigure(options: {
  prefix: string
  executions: number
  before: number
  queued: number
  after: number
  completedKept: number
}): Promise<{ json: Record<string, unknown>; rows: Figure[]; bounded: boolean }> {
  const { before, queued, after, executions } = options
  const retention = resolveRetention()
  const left = await prefixMemory(options.prefix)
  const bounded = options.completedKept <= retention.completed.count && after - before < queued - before
  return {
    bounded,
    json: {
      executions,
      usedMemoryMb: { before: mb(before), queued: mb(queued), after: mb(after) },
      deltaAfterMb: mb(after - before),
      prefixAfter: { keys: left.keys, mb: mb(left.bytes) },
      completedKept: options.completedKept,
      retention: { ...retention, eventsStreamMaxLen: EVENTS_STREAM_MAX_LEN },
    },
    rows: [
      row(
        `Redis used_memory after ${formatNumber(executions)} executions (target: 100k)`,
        `${mb(before)} -> ${mb(after)} MB (+${mb(after - before)} MB)`,
        'bounded by retention',
        `${mb(queued)} MB with all queued`,
      ),
      row(
        'queue keys left / completed jobs kept',
        `${formatNumber(left.keys)} keys, ${mb(left.bytes)} MB / ${formatNumber(options.completedKept)}`,
        `<= ${formatNumber(retention.completed.count)} kept`,
        `retention: completed ${formatNumber(retention.completed.count)} / ${hours(retention.completed.ageMs)}, failed ${formatNumber(retention.failed.count)} / ${hours(retention.failed.ageMs)}`,
      ),
    ],
  }
}
