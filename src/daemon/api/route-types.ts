/** What every route plugin of the API is registered with (app.ts). */
import type { DaemonContext } from '../context.js'

export interface RouteOptions {
  ctx: DaemonContext
}
