/**
 * AREA_PLUGINS: the service plugins a server and the CLI's offline commands load, comma-separated,
 * each a path (starting with `.` or `/`, relative to the working directory) or an npm package name
 * installed where that directory's `node_modules` lookup finds it (docs/architecture.md, "Service
 * plugins"). Read in one place, so `area serve` and `area validate` see the same list.
 */
export const PLUGINS_ENV = 'AREA_PLUGINS'

export function pluginSpecs(env: Readonly<Record<string, string | undefined>>): string[] {
  const raw = env[PLUGINS_ENV]
  if (!raw) return []
  return raw
    .split(',')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '')
}

/** A path rather than a package name: what the user wrote starts like a path. */
export function isPathSpec(spec: string): boolean {
  return spec.startsWith('.') || spec.startsWith('/') || /^[A-Za-z]:[\\/]/.test(spec)
}
