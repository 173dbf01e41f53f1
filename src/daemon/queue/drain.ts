/** The graceful part of a consumer's close, shared by both implementations. */

/** Kubernetes sends SIGKILL 30 s after SIGTERM by default; leave room for the rest of the shutdown. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 20_000
/** How long aborted handlers get to hand their jobs back before close gives up on them. */
export const DEFAULT_ABORT_GRACE_MS = 5_000

/**
 * Waits for `settled` (the running jobs) up to `timeoutMs`, then calls `abort` and waits up to
 * `graceMs` more. Resolves whether everything settled, so the caller can force its way out.
 */
export async function drain(
  settled: Promise<unknown>,
  options: { timeoutMs: number; graceMs: number; abort: () => void },
): Promise<boolean> {
  const done = settled.then(
    () => true,
    () => true,
  )
  if (await within(done, options.timeoutMs)) return true
  options.abort()
  return within(done, options.graceMs)
}

async function within(done: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([done, timeout])
  } finally {
    clearTimeout(timer)
  }
}
