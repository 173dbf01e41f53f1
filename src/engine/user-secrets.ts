/**
 * User secrets in templates (docs/architecture.md, "Secret params"): `{{ secrets.NAME }}` in a
 * reaction's params reads a value the user stored with `area secrets set NAME`. The worker loads
 * the names an AREA reads and passes their values to the engine; a reaction that reads a missing
 * one fails for good, naming it. Whatever the engine records of a run (the rendered request, the
 * output, the error) has each value replaced by `<secret:FINGERPRINT>`, wherever it appears in the
 * text, since a secret may be written into any param, not only the ones a service marks secret.
 */
import { PermanentError } from './errors.js'
import type { ExecutionPort } from './outcomes.js'
import { isSecretName } from './secret-names.js'
import { secretPlaceholder } from './secret-params.js'
import { analyzeTemplate, isTemplate } from './templates.js'
import type { JsonObject, JsonValue, Logger } from './types.js'

/**
 * The secret names the templates under `value` read, in first-seen order. Only `secrets.NAME`
 * written out counts: the worker loads exactly these (checkTemplates refuses any other form).
 */
export function secretNamesIn(value: JsonValue | undefined, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    if (!isTemplate(value)) return into
    const analysis = analyzeTemplate(value)
    if ('error' in analysis) return into
    for (const [root, name] of analysis.segments) {
      if (root === 'secrets' && isSecretName(name)) into.add(name)
    }
  } else if (Array.isArray(value)) {
    for (const item of value) secretNamesIn(item, into)
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) secretNamesIn(item, into)
  }
  return into
}

/** A reaction reads a secret the user has not set: the run fails for good, saying what to run. */
export function missingSecretError(name: string): PermanentError {
  return new PermanentError(
    `the params read {{ secrets.${name} }}, and you have no secret named ${name}: set it with \`area secrets set ${name}\` (the next events read it)`,
    { code: 'secret_not_found' },
  )
}

/**
 * The values to hide and what each is shown as. Longer values first, so a secret that contains
 * another is replaced whole.
 */
export type SecretMasks = readonly (readonly [value: string, shown: string])[]

export function secretMasks(
  values: Iterable<string>,
  fingerprint: ((text: string) => string) | undefined,
): SecretMasks {
  return [...new Set(values)]
    .filter((value) => value !== '')
    .sort((a, b) => b.length - a.length)
    .map((value) => [value, fingerprint ? secretPlaceholder(fingerprint(value)) : '<secret>'] as const)
}

export function maskText(text: string, masks: SecretMasks): string {
  let out = text
  for (const [value, shown] of masks) if (out.includes(value)) out = out.replaceAll(value, shown)
  return out
}

/** `value` with every secret in its strings (keys included) replaced. */
export function maskSecrets<T extends JsonValue | undefined>(value: T, masks: SecretMasks): T {
  if (masks.length === 0 || value === undefined || value === null) return value
  if (typeof value === 'string') return maskText(value, masks) as T
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, masks)) as T
  if (typeof value === 'object') {
    const out: JsonObject = {}
    for (const [key, item] of Object.entries(value)) out[maskText(key, masks)] = maskSecrets(item, masks)
    return out as T
  }
  return value
}

/** The execution port, recording everything with the secrets masked. */
export function maskingPort(port: ExecutionPort, masks: SecretMasks): ExecutionPort {
  if (masks.length === 0) return port
  return {
    previousOutcomes: () => port.previousOutcomes(),
    started: (reaction, request, index) => port.started(reaction, maskSecrets(request, masks), index),
    succeeded: (reaction, request, output, index) =>
      port.succeeded(reaction, maskSecrets(request, masks), maskSecrets(output, masks), index),
    failed: (reaction, request, error, errorClass, index) =>
      port.failed(reaction, maskSecrets(request, masks), maskText(error, masks), errorClass, index),
    skipped: (reaction, reason) => port.skipped(reaction, maskText(reason, masks)),
  }
}

/**
 * The logger the run and its handlers write to, with the secrets masked: a handler may log what
 * it was given (the http reaction logs the URL it called at debug).
 */
export function maskingLogger(logger: Logger, masks: SecretMasks): Logger {
  if (masks.length === 0) return logger
  const mask = (value: unknown): unknown => {
    if (typeof value === 'string') return maskText(value, masks)
    if (Array.isArray(value)) return value.map(mask)
    if (value instanceof Error) return maskText(value.message, masks)
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [maskText(k, masks), mask(v)]))
    return value
  }
  const level =
    (write: Logger['info']): Logger['info'] =>
    (obj, msg) =>
      msg === undefined
        ? write(mask(obj) as object | string)
        : write(mask(obj) as object | string, mask(msg) as string)
  return {
    debug: level(logger.debug.bind(logger)),
    info: level(logger.info.bind(logger)),
    warn: level(logger.warn.bind(logger)),
    error: level(logger.error.bind(logger)),
    ...(logger.child ? { child: (bindings: object) => maskingLogger(logger.child!(bindings), masks) } : {}),
  }
}
