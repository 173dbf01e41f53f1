/** PKCE (RFC 7636) with S256: the verifier stays on the server, the challenge goes to the browser. */
import { createHash, randomBytes } from 'node:crypto'

export interface Pkce {
  verifier: string
  challenge: string
}

export function createPkce(): Pkce {
  // 32 random bytes give a 43-character verifier, the minimum length RFC 7636 allows.
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: pkceChallenge(verifier) }
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url')
}
