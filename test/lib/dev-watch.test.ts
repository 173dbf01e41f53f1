import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { watchAreaFiles } from '../../src/lib/dev-watch.js'

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

describe('watchAreaFiles', () => {
  it('calls once per burst of changes, sees saves by rename, and ignores other files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'area-dev-watch-'))
    dirs.push(dir)
    const file = join(dir, 'areas.yaml')
    await writeFile(file, 'a: 1\n')
    let calls = 0
    const watch = watchAreaFiles([file], () => calls++, 150)
    try {
      // Three writes in a burst: one call.
      await writeFile(file, 'a: 2\n')
      await writeFile(file, 'a: 3\n')
      await writeFile(file, 'a: 4\n')
      await sleep(600)
      expect(calls).toBe(1)
      // An editor's save: a new file renamed over the old one.
      await writeFile(join(dir, '.areas.yaml.tmp'), 'a: 5\n')
      await rename(join(dir, '.areas.yaml.tmp'), file)
      await sleep(600)
      expect(calls).toBe(2)
      // Another file of the directory is none of its business.
      await writeFile(join(dir, 'notes.txt'), 'x')
      await sleep(600)
      expect(calls).toBe(2)
    } finally {
      watch.close()
    }
  })
})
