/**
 * A daemon process for the end-to-end figures: the roles of BENCH_ROLES (e.g. `api` or `worker`)
 * as `area serve` starts them, reporting the API's port over IPC.
 *
 * With BENCH_WAIT_FOR_GO=1 it opens the daemon context (connections, migrations, catalog), says
 * it is ready, and starts the roles only on `go`: a figure then times the roles' work, not the
 * process's start. It reports the polling slots its scheduler enqueued, and exits when the bench
 * that forked it goes away.
 */
import { loadDaemonConfig, type Role } from '../src/daemon/config.js'
import { openDaemonContext } from '../src/daemon/context.js'
import { type RunningDaemon, startRoles } from '../src/daemon/roles.js'
import type { BenchMessage } from './ipc.js'

const roles = (process.env.BENCH_ROLES ?? 'all').split(',') as Role[]
const config = loadDaemonConfig(process.env, { roles, port: 0 })
const ctx = await openDaemonContext(config)
let daemon: Promise<RunningDaemon> | undefined
const start = () => {
  daemon ??= startRoles(ctx)
  return daemon
}
const port = process.env.BENCH_WAIT_FOR_GO === '1' ? 0 : (await start()).port
process.send?.({ type: 'listening', port: port ?? 0 } satisfies BenchMessage)

let stopping: Promise<never> | undefined
const stop = () => {
  stopping ??= (async () => {
    if (daemon) await (await daemon).stop()
    else await ctx.close()
    process.exit(0)
  })()
  return stopping
}

process.on('disconnect', () => void stop())
process.on('message', async (message: BenchMessage) => {
  if (message.type === 'go') await start()
  if (message.type === 'stats?') {
    const slots = (await ctx.metrics.pollSlotsEnqueued.get()).values[0]?.value ?? 0
    const cpu = process.cpuUsage()
    process.send?.({
      type: 'stats',
      stats: { rssPeakBytes: 0, slotsEnqueued: slots, cpuMs: (cpu.user + cpu.system) / 1000 },
    } satisfies BenchMessage)
  }
  if (message.type === 'stop') await stop()
})
