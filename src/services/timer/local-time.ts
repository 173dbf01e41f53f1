/** ISO 8601 local time with offset in an IANA timezone, e.g. `2025-03-30T09:00:00+02:00`. */

const formats = new Map<string, Intl.DateTimeFormat>()

function formatFor(timezone: string): Intl.DateTimeFormat {
  let format = formats.get(timezone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
    formats.set(timezone, format)
  }
  return format
}

export function localIsoTime(date: Date, timezone: string): string {
  const parts: Record<string, string> = {}
  for (const part of formatFor(timezone).formatToParts(date)) parts[part.type] = part.value
  // `longOffset` reads "GMT+02:00", or plain "GMT" when the offset is zero.
  const offset = (parts.timeZoneName ?? 'GMT').replace('GMT', '') || '+00:00'
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`
}
