/**
 * Imports the plugins AREA_PLUGINS names and checks what they declare (docs/architecture.md,
 * "Service plugins"). A plugin is an ES module whose default export is a service (defineService)
 * or an array of them. Its `import … from 'area/sdk'` is answered with the SDK this process runs
 * already, by a resolve hook (node:module register) pointing at a module that re-exports it: a
 * plugin folder needs no copy of area installed, costs no second copy of the SDK's modules, and
 * its errors are the classes the worker tells apart with `instanceof`. Only imported when plugins
 * are configured: the hook's thread and the imports cost nothing otherwise.
 */
import { register } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ServiceDefinition } from '../engine/define.js'
import * as sdk from '../sdk.js'
import { checkServiceDeclaration } from './check-service.js'
import { PLUGINS_ENV } from './plugin-specs.js'
import { PluginError, resolvePlugin } from './resolve-plugin.js'

export interface LoadedPlugin {
  /** As AREA_PLUGINS names it. */
  spec: string
  /** The module imported. */
  file: string
  services: ServiceDefinition[]
}

const sdkKey = 'area.sdk'

/** A module whose exports are the running SDK's, read from where registerSdkHook put them. */
function sdkModuleUrl(): string {
  const names = Object.keys(sdk).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name))
  const source = `export const { ${names.join(', ')} } = globalThis[Symbol.for(${JSON.stringify(sdkKey)})]`
  return `data:text/javascript,${encodeURIComponent(source)}`
}

// data: URLs rather than files: the same text works from dist/ and from the offline bundle.
const hook = `let sdk
export function initialize(data) { sdk = data.sdk }
export async function resolve(specifier, context, next) {
  return next(specifier === 'area/sdk' ? sdk : specifier, context)
}`

let hookRegistered = false

function registerSdkHook(): void {
  if (hookRegistered) return
  hookRegistered = true
  ;(globalThis as Record<symbol, unknown>)[Symbol.for(sdkKey)] = sdk
  register(`data:text/javascript,${encodeURIComponent(hook)}`, { data: { sdk: sdkModuleUrl() } })
}

export async function loadPlugins(specs: readonly string[], cwd: string): Promise<LoadedPlugin[]> {
  registerSdkHook()
  const loaded: LoadedPlugin[] = []
  for (const spec of specs) {
    const file = resolvePlugin(spec, cwd)
    let module: { default?: unknown }
    try {
      module = (await import(pathToFileURL(file).href)) as { default?: unknown }
    } catch (error) {
      const where = locationOf(error)
      // Node 20 keeps an ES module's syntax error position out of the stack; node --check prints it.
      const at = where
        ? ` (at ${where})`
        : error instanceof SyntaxError
          ? ` (\`node --check ${file}\` shows where)`
          : ''
      throw new PluginError(
        `plugin "${spec}" (${file}) failed to load: ${(error as Error)?.message ?? String(error)}${at}; fix the module, or remove it from ${PLUGINS_ENV}`,
        { cause: error },
      )
    }
    const exported = module.default
    if (exported === undefined) {
      throw new PluginError(
        `plugin "${spec}" (${file}) has no default export: export default defineService({…}) (or an array of services)`,
      )
    }
    const services = (Array.isArray(exported) ? exported : [exported]) as unknown[]
    services.forEach((service, i) => {
      const issues = checkServiceDeclaration(service)
      if (issues.length === 0) return
      const id = (service as { id?: unknown } | null)?.id
      const which = typeof id === 'string' ? `service "${id}"` : `service #${i + 1}`
      const lines = issues.map((issue) => `  - ${issue.path || '(the service)'}: ${issue.message}`)
      throw new PluginError(
        `plugin "${spec}" (${file}) declares an invalid ${which}:\n${lines.join('\n')}\nfix the declaration, or remove the plugin from ${PLUGINS_ENV}`,
      )
    })
    loaded.push({ spec, file, services: services as ServiceDefinition[] })
  }
  return loaded
}

/**
 * Where in the plugin's files the import failed: the first file:line[:column] of the stack (a
 * syntax error's stack starts with it, a thrown error's first frame has it), as a path.
 */
function locationOf(error: unknown): string | undefined {
  const stack = (error as Error | undefined)?.stack ?? ''
  const match = /(file:\/\/[^\s)]+?):(\d+)(?::(\d+))?(?=[\s)]|$)/m.exec(stack)
  if (!match?.[1]) return undefined
  return `${fileURLToPath(match[1])}:${match[2]}${match[3] ? `:${match[3]}` : ''}`
}
