/**
 * What an AREA document names, looked up for an apply: the catalog's action and reactions (only
 * those available in this build) and the user's connections.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'

/** The rows an applied AREA points at. */
export interface References {
  serviceActionId: string
  actionConnectionId: string | null
  reactions: { serviceReactionId: string; connectionId: string | null }[]
}

export async function findAvailableAction(
  db: Kysely<Database>,
  service: string,
  action: string,
): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('service_actions as sa')
    .innerJoin('services as s', 's.id', 'sa.service_id')
    .select(['sa.id'])
    .where('s.key', '=', service)
    .where('sa.key', '=', action)
    .where('sa.available', '=', true)
    .executeTakeFirst()
}

/** The available reactions of these services. */
export async function findAvailableReactions(
  db: Kysely<Database>,
  services: string[],
): Promise<{ id: string; key: string; service: string }[]> {
  return db
    .selectFrom('service_reactions as sr')
    .innerJoin('services as s', 's.id', 'sr.service_id')
    .select(['sr.id', 'sr.key', 's.key as service'])
    .where('sr.available', '=', true)
    .where('s.key', 'in', services)
    .execute()
}

/** The user's connections among `names`, with their service. */
export async function findConnectionsByName(
  db: Kysely<Database>,
  userId: string,
  names: string[],
): Promise<{ id: string; name: string; service: string }[]> {
  if (names.length === 0) return []
  return db
    .selectFrom('user_services as us')
    .innerJoin('services as s', 's.id', 'us.service_id')
    .select(['us.id', 'us.name', 's.key as service'])
    .where('us.user_id', '=', userId)
    .where('us.name', 'in', names)
    .execute()
}
