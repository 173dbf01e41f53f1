/**
 * The catalog of the services built into this CLI, shaped as the API shows it: `area services
 * list` and `services describe` read it with no server and no login, as `validate` and `schema`
 * do. Loaded on demand, so other commands do not pay for every service's code at start-up.
 */
import type { ServiceDetails, ServiceSummary } from './api-types.js'
import { CliError } from './cli-error.js'

async function registry() {
  const { serviceRegistry } = await import('../plugins/service-registry.js')
  return serviceRegistry()
}

export async function localServices(): Promise<ServiceSummary[]> {
  const [services, { serviceSummaryView }] = await Promise.all([
    registry(),
    import('../daemon/api/views/services.js'),
  ])
  return services.services.map(serviceSummaryView)
}

/**
 * One service. No server settings are known here, so an OAuth 2 block reads as not configured:
 * describe says which settings a server needs for `--web`.
 */
export async function localService(id: string): Promise<ServiceDetails> {
  const [services, { serviceDetailsView }] = await Promise.all([
    registry(),
    import('../daemon/api/views/services.js'),
  ])
  const service = services.service(id)
  if (!service) {
    const known = services.services.map((s) => s.id).join(', ')
    throw new CliError(`no service "${id}" (services: ${known})`, { code: 'service_not_found' })
  }
  return serviceDetailsView(service, {})
}
