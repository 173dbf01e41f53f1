/**
 * Encryption at rest for credentials and webhook secrets: AES-256-GCM with a random 96-bit
 * nonce per value. Sealed text is `v1.<nonce>.<tag>.<ciphertext>` in base64url, so the format can
 * change later without guessing.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { AreaError } from '../engine/errors.js'

export interface SecretBox {
  seal(plaintext: string): string
  open(sealed: string): string
  /**
   * A short keyed hash of `plaintext` within `scope` (e.g. a user id): equal for equal values, so
   * a diff tells a changed secret from an unchanged one, and useless without the key, so it
   * reveals nothing. 12 hex digits (48 bits).
   */
  fingerprint(scope: string, plaintext: string): string
}

const FINGERPRINT_HEX_DIGITS = 12

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) {
    throw new AreaError(
      'invalid_encryption_key',
      `AREA_ENCRYPTION_KEY must be 32 bytes encoded in base64 (got ${key.length} bytes); create one with: openssl rand -base64 32`,
    )
  }
  // A key of its own for fingerprints, derived so that a hash never reuses the cipher's key.
  const fingerprintKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'area secret fingerprint', 32))
  return {
    fingerprint(scope, plaintext) {
      return createHmac('sha256', fingerprintKey)
        .update(`${scope}\u0000${plaintext}`)
        .digest('hex')
        .slice(0, FINGERPRINT_HEX_DIGITS)
    },
    seal(plaintext) {
      const nonce = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, nonce)
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return ['v1', nonce, cipher.getAuthTag(), body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.')
    },
    open(sealed) {
      const [version, nonce, tag, body] = sealed.split('.')
      if (version !== 'v1' || nonce === undefined || tag === undefined || body === undefined) {
        throw new AreaError('secret_unreadable', 'a stored secret has an unknown format')
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'))
        decipher.setAuthTag(Buffer.from(tag, 'base64url'))
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        )
      } catch {
        throw new AreaError(
          'secret_unreadable',
          'a stored secret cannot be decrypted: AREA_ENCRYPTION_KEY is not the key it was sealed with',
        )
      }
    },
  }
}

export function parseEncryptionKey(text: string): Buffer {
  return Buffer.from(text.trim(), 'base64')
}
