/**
 * A spinner for people waiting on the server: only on a terminal (stderr), only once a wait has
 * lasted a second, and erased when it ends, so quick commands and pipes never see it.
 */
const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

export async function withSpinner<T>(
  text: string,
  work: Promise<T>,
  enabled = process.stderr.isTTY === true,
): Promise<T> {
  if (!enabled || process.env.NO_COLOR) return work
  let frame = 0
  let interval: NodeJS.Timeout | undefined
  const delay = setTimeout(() => {
    interval = setInterval(() => {
      process.stderr.write(`\r${frames[frame++ % frames.length]} ${text}`)
    }, 80)
  }, 1_000)
  try {
    return await work
  } finally {
    clearTimeout(delay)
    if (interval) {
      clearInterval(interval)
      process.stderr.write('\r\u001b[2K')
    }
  }
}
