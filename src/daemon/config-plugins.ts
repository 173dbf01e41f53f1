/**
 * AREA_PLUGINS, as the daemon reads it: the same parse the CLI's offline commands use
 * (src/plugins/plugin-specs.ts), so a server and `area validate` in the same environment load the
 * same services (docs/architecture.md, "Service plugins").
 */
import { pluginSpecs } from '../plugins/plugin-specs.js'
import type { Env } from './config-values.js'

export function readPluginSpecs(env: Env): string[] {
  return pluginSpecs({ AREA_PLUGINS: env.AREA_PLUGINS })
}
