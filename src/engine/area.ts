import type { Credentials, JsonObject } from './types.js'

/** Lazily resolves a connection's credentials (so a token is refreshed only when used). */
export type AuthResolver = () => Promise<Credentials | undefined>

/** An AREA as the engine runs it: resolved from the store, no database types. */
export interface LoadedArea {
  id: string
  name: string
  userId: string
  action: {
    id: string
    service: string
    action: string
    params: JsonObject
    auth?: AuthResolver
  }
  /** In `position` order. */
  reactions: LoadedReaction[]
}

export interface LoadedReaction {
  id: string
  ref: string
  position: number
  service: string
  reaction: string
  params: JsonObject
  auth?: AuthResolver
}
