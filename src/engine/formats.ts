/**
 * The string formats (`format: uri`, `date-time`, `email`…) that params schemas, declared event
 * and output shapes, and the API's request schemas may use: ajv-formats' full set, with `uri`
 * checked the way our HTTP client will read it. One object, so every Ajv of the project and the
 * validators precompiled for `area validate` (scripts/precompile-ajv.mjs) share one rule.
 *
 * Only ajv-formats' formats module is imported, not its plugin: the plugin also loads Ajv's whole
 * compiler to define the format comparison keywords, which `area validate` would pay at each start
 * (docs/architecture.md, "CLI start-up").
 */
import { fullFormats } from 'ajv-formats/dist/formats.js'

// RFC 3986's characters: unreserved, reserved, and percent-escapes; a scheme first. Linear, where
// ajv-formats' full-grammar expression costs milliseconds to compile and run the first times.
const URI_TEXT = /^[a-z][a-z0-9+.-]*:(?:[\w\-.~!$&'()*+,;=:@/?#[\]]|%[0-9a-f]{2})*$/i

/**
 * An absolute URI: RFC 3986's characters, and a structure the WHATWG URL parser accepts (host,
 * port, IPv6 brackets), the parser `fetch` and undici use when the URL is called.
 */
export function isUri(value: string): boolean {
  return URI_TEXT.test(value) && URL.canParse(value)
}

export const formats: Record<string, (typeof fullFormats)[keyof typeof fullFormats]> = {
  ...fullFormats,
  uri: isUri,
}

/** Adds every format to an Ajv (the real one or the precompiled one of the offline bundle). */
export function addFormatsTo(ajv: {
  addFormat(name: string, format: (typeof formats)[string]): unknown
}): void {
  for (const [name, format] of Object.entries(formats)) ajv.addFormat(name, format)
}
