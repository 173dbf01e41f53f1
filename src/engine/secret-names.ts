/**
 * The names and sizes of user secrets (`area secrets set NAME`, `{{ secrets.NAME }}`): one rule, read by the
 * API's schema, the template check and the worker. The migration's check repeats the pattern.
 */

/** The largest value a secret may hold, in characters: a key file fits, a database dump does not. */
export const MAX_SECRET_VALUE_LENGTH = 65_536

export const SECRET_NAME_PATTERN = '^[A-Z][A-Z0-9_]{0,63}$'
const secretName = new RegExp(SECRET_NAME_PATTERN)

export const secretNameRule =
  'an upper-case letter, then up to 63 upper-case letters, digits or underscores (e.g. API_KEY)'

export function isSecretName(name: unknown): name is string {
  return typeof name === 'string' && secretName.test(name)
}

/** Why a template's `secrets.…` is refused at validation, or undefined when it names a secret. */
export function secretReferenceIssue(name: string | number | undefined): string | undefined {
  if (isSecretName(name)) return undefined
  return name === undefined
    ? 'template reads "secrets" as a whole; name one secret: {{ secrets.NAME }}'
    : `template reads secrets.${String(name)}, which is not a secret name: ${secretNameRule}, written out as {{ secrets.NAME }}`
}

/**
 * Whether `value` is one `{{ secrets.NAME }}` and nothing else. In a secret param it is shown as
 * written, not as a placeholder: it names a secret and holds none (secret-params.ts, redactParams).
 */
export function isSecretReference(value: unknown): boolean {
  return typeof value === 'string' && /^\s*\{\{-?\s*secrets\.[A-Z][A-Z0-9_]{0,63}\s*-?\}\}\s*$/.test(value)
}
