/**
 * One AREA run on one event in this process, by the engine's own code (createEngine's runEvent),
 * with nothing sent anywhere: each reaction call is answered by its mock or by the reaction's
 * declared example output (the engine's `callReaction` seam), and an in-memory execution port
 * records what the engine decided: which reactions ran, were skipped (and why), their rendered
 * params (secrets as `<secret:…>`) and their for_each items. docs/architecture.md, "Testing an
 * AREA offline".
 */
import { createHmac, randomBytes } from 'node:crypto'
import { type LoadedArea, type LoadedReaction, resolvePolicy } from '../engine/area.js'
import { errorMessage, PermanentError } from '../engine/errors.js'
import type { Registry } from '../engine/registry.js'
import {
  type CallReaction,
  createEngine,
  type ExecutionPort,
  ReactionFailedError,
  secretsReadBy,
} from '../engine/run.js'
import { type JsonObject, type JsonValue, silentLogger } from '../engine/types.js'
import type { NormalizedArea } from '../spec/normalize.js'

/** What a reaction call answers instead of its service: an output, or a failure. */
export interface Mock {
  output?: JsonValue
  error?: string
  /** For a `for_each` reaction: item by item (by index), before the mock's own output/error. */
  items?: { output?: JsonValue; error?: string }[]
}

export type ReactionStatus = 'succeeded' | 'failed' | 'skipped' | 'not_run'

export interface ItemRecord {
  index: number
  status: 'succeeded' | 'failed' | 'running'
  params?: JsonValue
  output?: JsonValue
  error?: string
}

export interface ReactionRecord {
  id: string
  service: string
  reaction: string
  phase: 'main' | 'on_failure'
  status: ReactionStatus
  /** Why it was skipped or not run. */
  reason?: string
  /** The params as rendered, secrets as `<secret:FINGERPRINT>` (not for a for_each: see items). */
  params?: JsonValue
  /** A for_each reaction's items, in order. */
  items?: ItemRecord[]
  output?: JsonValue
  /** Where the output came from. */
  outputFrom?: 'mock' | 'example'
  error?: string
}

export interface AreaRun {
  /** `skipped`: the trigger's filter or the action's `when` refused the event. */
  status: 'done' | 'skipped' | 'failed'
  reason?: string
  error?: string
  /** In the order the engine reached them, then those it never reached, in file order. */
  reactions: ReactionRecord[]
}

/**
 * A fingerprint under a key of this run only: equal secrets show equal fingerprints within the
 * run, and nothing about them outside it (the server's key is not known here).
 */
export function runFingerprint(): (text: string) => string {
  const key = randomBytes(32)
  return (text) => createHmac('sha256', key).update(text).digest('hex').slice(0, 12)
}

/** The normalized AREA as the engine runs it; a reaction's id is its ref. */
export function loadedAreaOf(area: NormalizedArea): LoadedArea {
  return {
    id: area.name,
    name: area.name,
    userId: 'area-test',
    action: {
      id: 'action',
      service: area.action.service,
      action: area.action.action,
      params: area.action.params,
      ...(area.action.when ? { when: area.action.when } : {}),
    },
    reactions: area.reactions.map((r, i) => {
      const above = area.reactions[i - 1]
      return {
        id: r.ref,
        ref: r.ref,
        position: i,
        service: r.service,
        reaction: r.reaction,
        params: r.params,
        phase: r.phase,
        policy: resolvePolicy(r.policy, above?.phase === r.phase ? above.ref : undefined),
      }
    }),
  }
}

export async function runOffline(
  registry: Registry,
  area: NormalizedArea,
  event: JsonObject,
  mocks: Readonly<Record<string, Mock>>,
  fingerprint: (text: string) => string = runFingerprint(),
): Promise<AreaRun> {
  const loaded = loadedAreaOf(area)
  const records = new Map<string, ReactionRecord>()
  const record = (reaction: LoadedReaction): ReactionRecord => {
    let found = records.get(reaction.ref)
    if (!found) {
      found = {
        id: reaction.ref,
        service: reaction.service,
        reaction: reaction.reaction,
        phase: reaction.phase,
        status: 'not_run',
      }
      records.set(reaction.ref, found)
    }
    return found
  }
  const item = (reaction: LoadedReaction, index: number): ItemRecord => {
    const target = record(reaction)
    target.items ??= []
    const items = target.items
    let found = items.find((i) => i.index === index)
    if (!found) {
      found = { index, status: 'running' }
      items.push(found)
    }
    return found
  }
  const forEach = (reaction: LoadedReaction) => reaction.policy.forEach !== undefined
  const outcomes: ExecutionPort = {
    async previousOutcomes() {
      return new Map()
    },
    async started(reaction, request, index) {
      if (index === undefined) record(reaction).params = request
      else item(reaction, index).params = request
    },
    async succeeded(reaction, request, output, index) {
      const target = index === undefined ? record(reaction) : item(reaction, index)
      target.status = 'succeeded'
      if (output !== undefined) target.output = output
      // A for_each over an empty list has no item, and says so.
      if (index === undefined && forEach(reaction)) record(reaction).items ??= []
      if (index === undefined && !forEach(reaction) && request !== undefined)
        record(reaction).params = request
    },
    async failed(reaction, request, error, _class, index) {
      const target = index === undefined ? record(reaction) : item(reaction, index)
      target.status = 'failed'
      target.error = error
      if (index === undefined && !forEach(reaction) && request !== undefined)
        record(reaction).params = request
    },
    async skipped(reaction, reason) {
      Object.assign(record(reaction), { status: 'skipped', reason })
    },
  }
  const callReaction: CallReaction = async (reaction, _params, index) => {
    const mock = mocks[reaction.ref]
    const answer = (index !== undefined ? mock?.items?.[index] : undefined) ?? mock
    if (answer?.error !== undefined) throw new PermanentError(answer.error, { code: 'mock_failure' })
    const target = record(reaction)
    if (answer && 'output' in answer) {
      target.outputFrom = 'mock'
      return answer.output
    }
    target.outputFrom = 'example'
    const example = registry.reaction(reaction.service, reaction.reaction)?.exampleOutput
    return example === undefined ? undefined : structuredClone(example)
  }

  const engine = createEngine(registry, {})
  let run: AreaRun
  let failedRef: string | null = null
  try {
    const result = await engine.runEvent({
      area: loaded,
      event,
      hookLogId: 'area-test',
      outcomes,
      logger: silentLogger,
      signal: new AbortController().signal,
      // The run is taken as its last attempt, so a failure shows what on_failure would do.
      failsForGood: () => true,
      fingerprint,
      callReaction,
      // `{{ secrets.NAME }}` renders a stand-in (there is no server to open the real one); the
      // engine masks it like a real value, so params show `<secret:…>` as on a server.
      secrets: new Map(secretsReadBy(loaded).map((name) => [name, `area-test-stand-in-for-${name}`])),
    })
    run =
      result.status === 'skipped'
        ? { status: 'skipped', reason: result.reason, reactions: [] }
        : { status: 'done', reactions: [] }
  } catch (error) {
    if (!(error instanceof ReactionFailedError)) throw error
    run = { status: 'failed', error: errorMessage(error), reactions: [] }
    failedRef = error.reactionRef
  }
  const byRef = new Map(loaded.reactions.map((r) => [r.ref, r]))
  for (const reaction of loaded.reactions) {
    if (records.has(reaction.ref)) continue
    record(reaction).reason = notRunReason(run, reaction, byRef, failedRef)
  }
  run.reactions = [...records.values()]
  return run
}

function notRunReason(
  run: AreaRun,
  reaction: LoadedReaction,
  byRef: ReadonlyMap<string, LoadedReaction>,
  failed: string | null,
): string {
  if (run.status === 'skipped') return 'the event was skipped'
  if (reaction.phase === 'on_failure')
    return run.status === 'failed' ? 'the failure path stopped' : 'the run did not fail'
  if (!failed) return 'the run stopped before it'
  const stack = [...reaction.policy.needs]
  const seen = new Set<string>()
  while (stack.length > 0) {
    const ref = stack.pop() as string
    if (seen.has(ref)) continue
    seen.add(ref)
    if (ref === failed) return `it needs "${ref}", which failed`
    stack.push(...(byRef.get(ref)?.policy.needs ?? []))
  }
  return `the run stopped when "${failed}" failed`
}
