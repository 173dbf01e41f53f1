/**
 * A worker harness (worker-deps.ts, PGlite) with one AREA whose trigger is the `test` service's
 * `feed` poll: the recorder decides what each poll returns or throws, for tests of the `poll` job
 * (pollHookJob) on a real store: its slots, its failures.
 */
import { createRegistry } from '../../../src/engine/registry.js'
import { builtinServices } from '../../../src/services/index.js'
import { createRecorder, type Recorder, testService } from '../engine/test-services.js'
import { openWorkerHarness, type WorkerHarness } from './worker-deps.js'

export interface FeedArea {
  harness: WorkerHarness
  /** `recorder.feed` is what the next poll finds; `recorder.failures.get('feed')` what it throws. */
  recorder: Recorder
  areaId: string
  hookJobId: string
}

export async function openFeedArea(name: string): Promise<FeedArea> {
  const recorder = createRecorder()
  const harness = await openWorkerHarness('pglite', {
    registry: createRegistry([...builtinServices, testService(recorder)]),
  })
  const applied = await harness.apply({
    apiVersion: 'area/v1',
    kind: 'Area',
    metadata: { name },
    spec: {
      action: { service: 'test', action: 'feed' },
      reactions: [{ id: 'note', service: 'test', reaction: 'note', params: { text: 'x' } }],
    },
  })
  return { harness, recorder, areaId: applied.id, hookJobId: (await harness.hookJobOf(applied.id)).id }
}
