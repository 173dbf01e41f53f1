import { rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { Worker } from 'node:worker_threads'
import { AreaError } from '../engine/errors.js'

/** How long a lock outlives a killed process; the holder refreshes it twice as often. */
const STALE_MS = 10_000

type HolderMessage =
  | { type: 'locked' }
  | { type: 'failed'; code?: string; message: string }
  | { type: 'compromised'; message: string }
  | { type: 'released' }

/**
 * The lock holder, run in a worker thread. proper-lockfile proves the lock alive by touching it
 * on a timer, and PGlite runs every query synchronously on the main thread (creating a database
 * blocks it for 10 s and more): from the main thread the refreshes would stall, the lock would
 * look stale, and a second process would take it and open the same database. Plain CommonJS, so
 * that it loads without a TypeScript loader, from src/ and from dist/ alike.
 */
const HOLDER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const lockfile = require(workerData.lockfileModule)
const onCompromised = (error) => parentPort.postMessage({ type: 'compromised', message: error.message })
lockfile.lock(workerData.dir, { stale: workerData.staleMs, realpath: false, onCompromised }).then(
  (release) => {
    parentPort.once('message', () => {
      const done = () => parentPort.postMessage({ type: 'released' })
      release().then(done, done)
    })
    parentPort.postMessage({ type: 'locked' })
  },
  (error) => parentPort.postMessage({ type: 'failed', code: error.code, message: error.message }),
)
`

/**
 * Takes the one-process lock on an embedded database directory (a `<dir>.lock` sibling). Two
 * PGlite instances on one directory corrupt it, so a held lock is an error, not a wait. Resolves
 * to the function that releases it.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const holder = new Worker(HOLDER_SOURCE, {
    eval: true,
    execArgv: [],
    workerData: {
      dir,
      staleMs: STALE_MS,
      lockfileModule: createRequire(import.meta.url).resolve('proper-lockfile'),
    },
  })
  const first = await new Promise<HolderMessage>((resolve, reject) => {
    holder.once('message', resolve)
    holder.once('error', reject)
  })
  if (first.type !== 'locked') {
    await holder.terminate()
    throw lockError(dir, first)
  }

  // Once locked, the holder must not keep the process alive; a process that exits without
  // close() still leaves the directory free for the next one.
  holder.unref()
  const lockPath = `${resolve(dir)}.lock`
  const removeOnExit = () => rmSync(lockPath, { recursive: true, force: true })
  process.once('exit', removeOnExit)
  holder.on('message', (message: HolderMessage) => {
    if (message.type !== 'compromised') return
    // Another process took the lock over or removed it. Writing on would corrupt the database,
    // so stop the process (an uncaught error), as proper-lockfile itself does by default.
    throw new AreaError(
      'data_dir_lock_lost',
      `Lost the lock on the embedded database in ${dir} (${message.message}); stopping so that two processes never write it at once.`,
    )
  })

  let releasing: Promise<void> | undefined
  return () => {
    releasing ??= (async () => {
      process.off('exit', removeOnExit)
      holder.ref()
      const released = new Promise((resolve) => holder.once('message', resolve))
      holder.postMessage('release')
      await released
      await holder.terminate()
    })()
    return releasing
  }
}

function lockError(
  dir: string,
  failure: HolderMessage & { type: 'failed' | 'compromised' | 'released' },
): Error {
  const code = 'code' in failure ? failure.code : undefined
  const message = 'message' in failure ? failure.message : failure.type
  if (code !== 'ELOCKED') return Object.assign(new Error(`Cannot lock ${dir}: ${message}`), { code })
  return new AreaError(
    'data_dir_locked',
    `The embedded database in ${dir} is in use by another area process (for example \`area serve\`), and only one process may open it. ` +
      'Stop that process, or set DATABASE_URL to use a Postgres server that processes can share, or set AREA_DATA_DIR to use another data directory. ' +
      `(A lock left by a killed process expires after ${STALE_MS / 1000} seconds.)`,
  )
}
