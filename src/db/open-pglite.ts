import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import { lockDataDir } from './data-dir-lock.js'
import type { Store } from './open.js'
import type { Database } from './schema.js'
import { PG_INT8, parseInt8 } from './type-parsers.js'

/** Opens (creating on first use) the embedded database in `<dataDir>/pglite`, locked to this process. */
export async function openPgliteStore(dataDir: string): Promise<Store> {
  const dir = join(resolve(dataDir), 'pglite')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const release = await lockDataDir(dir)
  let pglite: PGlite
  try {
    // PGlite derives int8[] parsing from the int8 parser, so one entry covers both.
    pglite = await PGlite.create(dir, { parsers: { [PG_INT8]: parseInt8 } })
  } catch (error) {
    await release()
    throw error
  }
  // The dialect serializes every query through its one connection, transactions included.
  const root = new Kysely<Database>({ dialect: new PGliteDialect(pglite) })
  let closing: Promise<void> | undefined
  return {
    driver: 'pglite',
    db: root.withSchema('area'),
    async runScript(script, trx) {
      // exec() runs a multi-statement script (DO blocks included) in the single PGlite session.
      // Given `trx`, that session is already inside the caller's transaction and the dialect's
      // connection is held by it, so exec joins the transaction. Without one, hold the connection
      // for the script so that it cannot land inside another caller's open transaction.
      if (trx) {
        await pglite.exec(script)
      } else {
        await root.connection().execute(() => pglite.exec(script))
      }
    },
    close() {
      // Kysely closes the PGlite instance only if a query ever ran through it.
      closing ??= root
        .destroy()
        .then(() => (pglite.closed ? undefined : pglite.close()))
        .finally(release)
      return closing
    },
  }
}
