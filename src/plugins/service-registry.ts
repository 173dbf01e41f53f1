/**
 * The one place the registry is assembled: the built-in services, then the plugins AREA_PLUGINS
 * names (docs/architecture.md, "Service plugins"). `area serve`, `area dev` and every offline
 * command (validate, test, schema, services list/describe) call it, so they agree on the catalog.
 * Without plugins it imports nothing more than the built-ins.
 */
import type { ServiceDefinition } from '../engine/define.js'
import { createRegistry, type Registry } from '../engine/registry.js'
import { builtinServices } from '../services/index.js'
import type { LoadedPlugin } from './load-plugins.js'
import { PLUGINS_ENV, pluginSpecs } from './plugin-specs.js'
import { PluginError } from './resolve-plugin.js'

export async function serviceRegistry(
  specs: readonly string[] = pluginSpecs(process.env),
  cwd: string = process.cwd(),
): Promise<Registry> {
  if (specs.length === 0) return createRegistry(builtinServices)
  const { loadPlugins } = await import('./load-plugins.js')
  return createRegistry(withPlugins(builtinServices, await loadPlugins(specs, cwd)))
}

/** The built-ins and the plugins' services; an id taken twice is an error naming both owners. */
export function withPlugins(
  builtins: readonly ServiceDefinition[],
  plugins: readonly LoadedPlugin[],
): ServiceDefinition[] {
  const owner = new Map<string, string>(builtins.map((s) => [s.id, `the built-in service "${s.id}"`]))
  const services = [...builtins]
  for (const plugin of plugins) {
    for (const service of plugin.services) {
      const taken = owner.get(service.id)
      if (taken) {
        throw new PluginError(
          `plugin "${plugin.spec}" (${plugin.file}) declares service "${service.id}", already declared by ${taken}: a plugin cannot replace a service; give it another id, or remove one of them from ${PLUGINS_ENV}`,
        )
      }
      owner.set(service.id, `plugin "${plugin.spec}" (${plugin.file})`)
      services.push(service)
    }
  }
  return services
}
