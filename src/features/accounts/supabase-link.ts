/**
 * Which local user a verified Supabase Auth user is (docs/architecture.md, "Accounts and
 * tokens"). In order:
 * 1. the user already linked to this Supabase user id (`users.supabase_user_id`);
 * 2. else the unlinked user with the same e-mail, provided Supabase says the address is confirmed:
 *    that user is linked from now on;
 * 3. else a new user without a password, linked, unless AREA_SIGNUP=closed refuses new accounts
 *    (the same rule as `area signup`: closed allows the first account only).
 * Linking and creating happen in one transaction with their audit rows. Supabase is where a
 * linked user's e-mail changes: a new confirmed address is copied to the local user, unless
 * another area account has it (then the old one stays, and a warning says why).
 */
import type { User as SupabaseUser } from '@supabase/supabase-js'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.js'
import { AreaError } from '../../engine/errors.js'
import type { JsonObject } from '../../engine/types.js'
import { recordAudit } from '../../store/audit.js'
import {
  findUserByEmailForLink,
  findUserBySupabaseId,
  insertSupabaseUser,
  type LinkedUser,
  linkSupabaseUserByEmail,
  updateLinkedUserEmail,
} from '../../store/supabase-users.js'
import { hasAnyUser, lockSignups } from '../../store/users.js'
import type { FeatureContext } from '../context.js'

type LinkContext = Pick<FeatureContext, 'store' | 'config' | 'logger'>

/** What we take from Supabase Auth's user (GET /auth/v1/user). */
export interface SupabaseIdentity {
  id: string
  email: string | null
  /** `email_confirmed_at` is set: Supabase checked the address (or trusts it, see the README). */
  emailConfirmed: boolean
  displayName: string | null
}

export function identityOf(user: SupabaseUser): SupabaseIdentity {
  const metadata = (user.user_metadata ?? {}) as Record<string, unknown>
  const name = [metadata.full_name, metadata.name].find(
    (v): v is string => typeof v === 'string' && !!v.trim(),
  )
  return {
    id: user.id,
    email: user.email ? user.email : null,
    emailConfirmed: Boolean(user.email_confirmed_at),
    displayName: name ? name.trim().slice(0, 100) : null,
  }
}

export async function localUserForSupabase(
  ctx: LinkContext,
  identity: SupabaseIdentity,
): Promise<LinkedUser> {
  const db = ctx.store.db
  const linked = await findUserBySupabaseId(db, identity.id)
  if (linked) return followEmailChange(ctx, linked, identity)
  const email = identity.email
  if (!email || !identity.emailConfirmed) {
    throw new AreaError(
      'account_not_linkable',
      `this Supabase user has no confirmed e-mail address, and area finds or creates its account by e-mail: confirm the address in Supabase and sign in again, or use an area account (\`area signup\`, \`area login\`)`,
    )
  }
  return db.transaction().execute(async (trx) => {
    // Closed signup allows the first account only: serialize with signups, as signup() does.
    if (ctx.config.signup === 'closed') await lockSignups(trx)
    const link = await linkSupabaseUserByEmail(trx, { email, supabaseUserId: identity.id })
    if (link) {
      await auditUser(trx, link.id, 'user.linked', { provider: 'supabase', supabaseUserId: identity.id })
      return link
    }
    const existing = await findUserByEmailForLink(trx, email)
    if (existing) {
      // A concurrent request of the same user linked it first.
      if (existing.supabaseUserId === identity.id) return existing
      throw linkedElsewhere(email)
    }
    if (ctx.config.signup === 'closed' && (await hasAnyUser(trx))) {
      throw new AreaError(
        'signup_closed',
        `signup is closed on this server (AREA_SIGNUP=closed) and no area account has this Supabase user's e-mail (${email}): ask the server's administrator for an account with that address; it is linked to your Supabase user at your next request`,
      )
    }
    const created = await insertSupabaseUser(trx, {
      email,
      supabaseUserId: identity.id,
      displayName: identity.displayName,
    })
    if (!created) {
      // Another request created this user, or someone signed up with the address, meanwhile.
      const raced = await findUserBySupabaseId(trx, identity.id)
      if (raced) return raced
      throw new AreaError('conflict', `an account for ${email} was created meanwhile: try again`)
    }
    await auditUser(trx, created.id, 'user.signup', { via: 'supabase', supabaseUserId: identity.id })
    return created
  })
}

async function followEmailChange(
  ctx: LinkContext,
  user: LinkedUser,
  identity: SupabaseIdentity,
): Promise<LinkedUser> {
  const email = identity.email
  if (!email || !identity.emailConfirmed || email.toLowerCase() === user.email.toLowerCase()) return user
  return ctx.store.db.transaction().execute(async (trx) => {
    const updated = await updateLinkedUserEmail(trx, { userId: user.id, email })
    if (!updated) {
      ctx.logger.warn(
        { userId: user.id, supabaseUserId: identity.id },
        "this Supabase user's new e-mail belongs to another area account: the area account keeps its old e-mail",
      )
      return user
    }
    await auditUser(trx, user.id, 'user.email_changed', { via: 'supabase', supabaseUserId: identity.id })
    return updated
  })
}

/** An audit row about the account itself (`user/<id>`), by its own user. */
function auditUser(db: Kysely<Database>, userId: string, action: string, metadata: JsonObject) {
  return recordAudit(db, { userId, action, target: `user/${userId}`, metadata })
}

function linkedElsewhere(email: string): AreaError {
  return new AreaError(
    'account_not_linkable',
    `the area account for ${email} is linked to another Supabase user (one deleted and created again?): sign in as that user, or ask the server's administrator to unlink the account (set its supabase_user_id to null in area.users) so that your next request links it to you`,
  )
}
