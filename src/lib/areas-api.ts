/** Reading AREAs through the API: one by name, or every page of the list. */
import type { ApiClient } from './api-client.js'
import type { AreaDetails, AreaListItem, AreaListPage } from './api-types.js'

export const areaPath = (name: string) => `/v1/areas/${encodeURIComponent(name)}`

export function getArea(client: ApiClient, name: string): Promise<AreaDetails> {
  return client.get<AreaDetails>(areaPath(name))
}

/** Every AREA, or those whose labels match `labelSelector` (kubectl syntax). */
export async function listAllAreas(client: ApiClient, labelSelector?: string): Promise<AreaListItem[]> {
  const items: AreaListItem[] = []
  let cursor: string | undefined
  do {
    const page: AreaListPage = await client.get<AreaListPage>('/v1/areas', {
      query: { cursor, limit: 200, labelSelector },
    })
    items.push(...page.items)
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return items
}

/** One AREA (its details) when named, else the list of all of them: what `get` and `export` show. */
export type FoundAreas = AreaDetails | AreaListItem[]

export function readAreas(client: ApiClient, name: string | undefined): Promise<FoundAreas> {
  return name ? getArea(client, name) : listAllAreas(client)
}
