/** The performance targets (docs/architecture.md, "Performance"), in the JSON of every run. */
export const TARGETS = {
  ingestReqPerSec: 5_000,
  ingestMinReqPerSec: 3_000,
  p99Ms: 50,
  ratio: 0.4,
  apiRssMb: 250,
  reactionP50Ms: 10,
  reactionP99Ms: 100,
  workerEventsPerSec: 2_000,
  schedulerEnqueueSeconds: 5,
  schedulerDoubleFires: 0,
  /** The same bound as test/e2e/adversarial-tenant.int.test.ts and the README. */
  victimP99UnderAttackMs: 5_000,
  /** `area --version` and `area validate`, as a multiple of `node -e 0` in the same run (issue 12). */
  cliVersionRatio: 1.5,
  cliValidateRatio: 3,
}
