/**
 * A daemon process for the end-to-end figures: the roles of BENCH_ROLES (e.g. `api` or `worker`)
 * as `area serve` starts them, reporting the API's port over IPC.
 */
import { loadDaemonConfig, type Role } from '../src/daemon/config.js'
import { openDaemonContext } from '../src/daemon/context.js'
import { startRoles } from '../src/daemon/roles.js'
import type { BenchMessage } from './ipc.js'

const roles = (process.env.BENCH_ROLES ?? 'all').split(',') as Role[]
const config = loadDaemonConfig(process.env, { roles, port: 0 })
const ctx = await openDaemonContext(config)
const daemon = await startRoles(ctx)
process.send?.({ type: 'listening', port: daemon.port ?? 0 } satisfies BenchMessage)
process.on('message', async (message: BenchMessage) => {
  if (message.type === 'stats?')
    process.send?.({ type: 'stats', stats: { rssPeakBytes: 0 } } satisfies BenchMessage)
  if (message.type === 'stop') {
    await daemon.stop()
    process.exit(0)
  }
})
