/** `area enable` and `area disable`: the same request, the other verb. */
import type { ApiClient } from './api-client.js'
import type { StateResult } from './api-types.js'
import { areaPath } from './areas-api.js'

export interface ToggleOutput {
  name: string
  enabled: boolean
  outcome: StateResult['outcome']
}

export async function toggleArea(client: ApiClient, name: string, enable: boolean): Promise<ToggleOutput> {
  const answer = await client.post<StateResult>(`${areaPath(name)}/${enable ? 'enable' : 'disable'}`)
  return { name, enabled: answer.area.enabled, outcome: answer.outcome }
}

export function toggleMessage(output: ToggleOutput): string {
  const state = output.enabled ? 'enabled' : 'disabled'
  return output.outcome === 'unchanged'
    ? `${output.name} was already ${state}.`
    : `${output.name} is now ${state}.`
}
