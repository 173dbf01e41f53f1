// Opens and closes the embedded store in the data directory given as argv[2], from a process of
// its own, after waiting argv[3] milliseconds if given; prints `opened`, or the error's code and
// message as JSON on stderr (exit code 1).
import { setTimeout as sleep } from 'node:timers/promises'
import { openStore } from '../../../src/db/open.js'

try {
  await sleep(Number(process.argv[3] ?? 0))
  const store = await openStore({ dataDir: process.argv[2] })
  await store.close()
  process.stdout.write('opened\n')
} catch (error) {
  const { code, message } = error as { code?: string; message?: string }
  process.stderr.write(`${JSON.stringify({ code, message })}\n`)
  process.exitCode = 1
}
