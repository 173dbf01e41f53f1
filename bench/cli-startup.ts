/**
 * CLI start-up (issue 12): `area --version` and `area validate -f areas.example.yaml`, the built
 * binary as installed (bin/run.js with dist/ and the oclif manifest), beside `node -e 0` measured
 * in the same run, interleaved so that a busy machine slows all three alike. Medians of
 * BENCH_CLI_RUNS runs (default 15). Builds first (npm run build), so the figure is of the sources.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { type FigureRun, row } from './report.js'
import { TARGETS } from './targets.js'

const root = fileURLToPath(new URL('..', import.meta.url))

function wallMs(args: string[]): number {
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] })
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return elapsed
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

export async function measureCliStartup(): Promise<FigureRun> {
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
  const runs = Number(process.env.BENCH_CLI_RUNS ?? 15)
  const commands = {
    node: ['-e', '0'],
    version: ['bin/run.js', '--version'],
    validate: ['bin/run.js', 'validate', '-f', 'areas.example.yaml'],
  }
  const times: Record<keyof typeof commands, number[]> = { node: [], version: [], validate: [] }
  for (const args of Object.values(commands)) wallMs(args) // warm the file cache
  for (let i = 0; i < runs; i++)
    for (const [name, args] of Object.entries(commands))
      times[name as keyof typeof commands].push(wallMs(args))
  const node = median(times.node)
  const version = median(times.version)
  const validate = median(times.validate)
  const ratio = (ms: number) => Math.round((ms / node) * 100) / 100
  const ms = (value: number) => `${Math.round(value)} ms`
  const reference = `node -e 0: ${ms(node)}`
  return {
    title: `CLI start-up (median of ${runs} runs)`,
    rows: [
      row(
        'area --version',
        `${ms(version)} (${ratio(version)}×)`,
        `≤ ${TARGETS.cliVersionRatio}×`,
        reference,
      ),
      row(
        'area validate -f areas.example.yaml',
        `${ms(validate)} (${ratio(validate)}×)`,
        `≤ ${TARGETS.cliValidateRatio}×`,
        reference,
      ),
    ],
    json: {
      cliStartup: {
        runs,
        nodeMs: node,
        versionMs: version,
        validateMs: validate,
        versionRatio: ratio(version),
        validateRatio: ratio(validate),
      },
    },
    pass: {
      cliVersion: ratio(version) <= TARGETS.cliVersionRatio,
      cliValidate: ratio(validate) <= TARGETS.cliValidateRatio,
    },
  }
}
