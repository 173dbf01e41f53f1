/** The TCP ports e-mail may connect to (`AREA_SMTP_PORTS`): SMTP's own, not any service's. */
import { PermanentError } from '../engine/errors.js'

export const SMTP_PORTS_ENV = 'AREA_SMTP_PORTS'
export const DEFAULT_SMTP_PORTS: readonly number[] = [25, 465, 587, 2525]

/** A comma list of ports; empty is the default list. Throws a PermanentError naming the variable. */
export function parsePortList(value: string | undefined): readonly number[] {
  const text = (value ?? '').trim()
  if (text === '') return DEFAULT_SMTP_PORTS
  const ports = text.split(',').map((part) => Number(part.trim()))
  if (ports.some((port) => !Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new PermanentError(
      `${SMTP_PORTS_ENV}="${value}" must be a comma list of TCP ports (1 to 65535), e.g. 25,465,587,2525`,
      { code: 'invalid_setting' },
    )
  }
  return ports
}
