/** AREA documents the process tests apply: an action whose reactions post to a local sink. */

export interface SinkReaction {
  id?: string
  /** Path on the sink, e.g. `/hook`. */
  path: string
  /** The request body param (templated); omitted when undefined. */
  body?: unknown
}

type Action = { service: string; action: string; params?: Record<string, unknown> }

export const webhookAction: Action = { service: 'webhook', action: 'received' }
export const everyAction = (interval: string): Action => ({
  service: 'timer',
  action: 'every',
  params: { interval },
})

/** `name`: `action`, then one `http.request` per reaction, in order, to `sinkUrl` + path. */
export function sinkArea(name: string, action: Action, sinkUrl: string, reactions: SinkReaction[]) {
  return {
    apiVersion: 'area/v1',
    kind: 'Area',
    metadata: { name },
    spec: {
      action,
      reactions: reactions.map((r) => ({
        id: r.id ?? 'post',
        service: 'http',
        reaction: 'request',
        params: { url: `${sinkUrl}${r.path}`, ...(r.body === undefined ? {} : { body: r.body }) },
      })),
    },
  }
}
