/**
 * What can be checked of the Helm chart without a cluster (and without helm, unless it is on the
 * PATH): every plain YAML/JSON file parses, values.yaml fits values.schema.json, and every
 * environment variable the daemon reads is wired into the templates.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { settingsOf } from '../../src/engine/registry.js'
import { builtinServices } from '../../src/services/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const chart = join(root, 'charts/area')
const read = (path: string) => readFileSync(join(chart, path), 'utf8')
const templates = readdirSync(join(chart, 'templates'))
  .map((f) => read(`templates/${f}`))
  .join('\n')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  )
}

/** Variables the daemon roles read (CLI-only and laptop-only ones are listed apart below). */
function variablesReadByTheDaemon(): Set<string> {
  const names = new Set<string>()
  for (const file of sourceFiles(join(root, 'src/daemon'))) {
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(
      /\benv\.([A-Z][A-Z0-9_]+)|\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]|integer\(env, '([A-Z0-9_]+)'/g,
    )) {
      names.add(match[1] ?? match[2] ?? match[3] ?? '')
    }
  }
  return names
}

// Read by the daemon but deliberately not set by the chart, each for a reason.
const notForKubernetes: Record<string, string> = {
  AREA_DATA_DIR: 'only the embedded database uses it; the chart always sets DATABASE_URL',
  HOST: 'the default, 0.0.0.0 with DATABASE_URL, is what a pod needs',
  AREA_REDIS_PREFIX:
    'the default prefix is fine for one release per Redis; set it through config.extraEnv otherwise',
  AREA_LEASE_SECONDS: 'tuning; config.extraEnv',
  AREA_SCHEDULER_TICK_MS: 'tuning; config.extraEnv',
  AREA_JOB_LOCK_MS: 'tuning; config.extraEnv',
  AREA_POLL_SLOT_LEASE_SECONDS: 'tuning; config.extraEnv',
  AREA_WEBHOOK_BODY_LIMIT: 'tuning; config.extraEnv',
  AREA_WEBHOOK_RATE_LIMIT: 'tuning; config.extraEnv',
  AREA_WEBHOOK_RATE_BURST: 'tuning; config.extraEnv',
  // Traces: the chart sets the endpoint, the service name and the webhook rule (tracing.*); the
  // other standard OpenTelemetry switches are the operator's, through config.extraEnv.
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'tracing.endpoint sets the base endpoint; config.extraEnv',
  OTEL_SDK_DISABLED: 'an empty tracing.endpoint turns traces off; config.extraEnv',
  OTEL_TRACES_EXPORTER: 'an empty tracing.endpoint turns traces off; config.extraEnv',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json, the only one, is the default; config.extraEnv',
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json, the only one, is the default; config.extraEnv',
  OTEL_TRACES_SAMPLER: 'every trace is recorded unless the operator samples; config.extraEnv',
  AREA_START_TIMEOUT:
    'the default (120 s) outlasts a database restart, and Kubernetes restarts a pod that gave up; config.extraEnv',
}

describe('charts/area', () => {
  it('has plain YAML and JSON files that parse', () => {
    const meta = parse(read('Chart.yaml')) as { apiVersion: string; name: string; version: string }
    expect(meta).toMatchObject({ apiVersion: 'v2', name: 'area' })
    expect(meta.version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(parse(read('values.yaml'))).toBeTypeOf('object')
    expect(JSON.parse(read('values.schema.json'))).toBeTypeOf('object')
  })

  it('has values that fit values.schema.json, and a schema that refuses mistakes', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(
      JSON.parse(read('values.schema.json')),
    )
    const values = parse(read('values.yaml'))
    expect(validate(values), JSON.stringify(validate.errors)).toBe(true)
    expect(validate({ ...values, workers: 3 })).toBe(false)
    expect(validate({ ...values, scheduler: { ...values.scheduler, replicas: 0 } })).toBe(false)
    expect(validate({ ...values, publicUrl: 'area.example.com' })).toBe(false)
  })

  it('wires every environment variable the daemon reads', () => {
    const read = variablesReadByTheDaemon()
    expect(read.has('DATABASE_URL')).toBe(true)
    const wired = new Set([...templates.matchAll(/- name: ([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]))
    const missing = [...read].filter((name) => !wired.has(name) && !(name in notForKubernetes))
    expect(missing).toEqual([])
  })

  it('offers every service setting, in serviceSettings or (secrets) wired from the Secret', () => {
    const values = parse(read('values.yaml')) as { serviceSettings: Record<string, string> }
    const wired = new Set([...templates.matchAll(/- name: ([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]))
    const settings = builtinServices.flatMap((s) =>
      Object.values(settingsOf(s)).map((setting) => setting.env),
    )
    expect(settings.filter((env) => !(env in values.serviceSettings) && !wired.has(env))).toEqual([])
    expect(values.serviceSettings).not.toHaveProperty('AREA_GITHUB_CLIENT_SECRET')
  })

  it('matches the worker grace period to its drain time and runs the roles the daemon knows', () => {
    expect(templates).toContain(
      'terminationGracePeriodSeconds: {{ add .Values.worker.drainTimeoutSeconds 10 }}',
    )
    expect(templates).toContain('value: {{ mul .Values.worker.drainTimeoutSeconds 1000 | quote }}')
    for (const role of ['api', 'worker', 'scheduler']) expect(templates).toContain(`"--role=${role}"`)
    expect(templates).toContain('args: ["db", "migrate"]')
    expect(templates).toContain('helm.sh/hook: pre-install,pre-upgrade')
    expect(templates).toContain('path: /readyz')
    expect(templates).toContain('path: /healthz')
  })

  it('passes helm lint and helm template where helm exists, and says so where it does not', () => {
    const helm = spawnSync('helm', ['version'], { encoding: 'utf8' })
    if (helm.error || helm.status !== 0) {
      // No helm binary here (none on the development machines): the README must not pretend.
      expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('no `helm` binary')
      return
    }
    const set = [
      '--set',
      'secret.databaseUrl=postgres://x',
      '--set',
      'secret.redisUrl=redis://x',
      '--set',
      'secret.encryptionKey=k',
    ]
    expect(spawnSync('helm', ['lint', chart, ...set], { encoding: 'utf8' }).status).toBe(0)
    const rendered = spawnSync('helm', ['template', 'area', chart, ...set], { encoding: 'utf8' })
    expect(rendered.status).toBe(0)
    expect(rendered.stdout).toContain('kind: Deployment')
  })
})
