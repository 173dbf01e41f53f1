/**
 * Password hashing: argon2id (the library's default algorithm) with OWASP's minimum settings,
 * 19 MiB of memory and 2 passes: slow enough for a stolen table, fast enough for a login.
 */
import { randomBytes } from 'node:crypto'
import { hash, verify } from '@node-rs/argon2'

const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 }

export function hashPassword(password: string): Promise<string> {
  return hash(password, options)
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    // A malformed stored hash is a wrong password, not a crash.
    return false
  }
}

let dummy: Promise<string> | undefined

/**
 * Verifies against a throwaway hash: a login for an unknown e-mail then costs what a login with
 * a wrong password costs, so timing does not tell which accounts exist.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'))
  await verifyPassword(await dummy, password)
  return false
}
