/**
 * Where CPU time goes during a figure: the whole machine's (os.cpus), Redis's own (INFO cpu) and
 * this process's, so a figure can say whether it is bound by the machine and by whom.
 */
import { cpus } from 'node:os'
import { Redis } from 'ioredis'
import { REDIS_URL } from './environment.js'

export interface CpuSnapshot {
  at: number
  machineBusyMs: number
  machineTotalMs: number
  redisMs: number
  benchMs: number
}

export async function cpuSnapshot(): Promise<CpuSnapshot> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  let redisMs = 0
  try {
    const info = await redis.info('cpu')
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0)
    redisMs = (field('used_cpu_user') + field('used_cpu_sys')) * 1000
  } finally {
    redis.disconnect()
  }
  let busy = 0
  let total = 0
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq
    total += all
    busy += all - times.idle
  }
  const usage = process.cpuUsage()
  return {
    at: performance.now(),
    machineBusyMs: busy,
    machineTotalMs: total,
    redisMs,
    benchMs: (usage.user + usage.system) / 1000,
  }
}

/** CPU seconds spent between two snapshots: the machine's (of cores × seconds), Redis's, ours. */
export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot) {
  const s = (ms: number) => Math.round(ms / 10) / 100
  const busyMs = after.machineBusyMs - before.machineBusyMs
  return {
    wallSeconds: s(after.at - before.at),
    cores: cpus().length,
    machineBusySeconds: s(busyMs),
    machineBusyPercent: Math.round((busyMs / (after.machineTotalMs - before.machineTotalMs)) * 100),
    redisSeconds: s(after.redisMs - before.redisMs),
    benchSeconds: s(after.benchMs - before.benchMs),
  }
}
