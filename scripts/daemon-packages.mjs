/**
 * The packages only the daemon and the commands that talk to a server use. The offline bundle
 * (bundle-offline.mjs) never inlines them, so that an import of one stays a module load that
 * test/package/cli-modules.test.ts sees: `area --version` and `area validate` must load none.
 */
export const daemonPackages = [
  'kysely',
  'bullmq',
  'fastify',
  'pg',
  'ioredis',
  'nodemailer',
  'undici',
  'fast-xml-parser',
  '@electric-sql/pglite',
  'pino',
  'prom-client',
  // Traces: loaded by a daemon with an OTLP endpoint only (docs/architecture.md, "Traces").
  '@opentelemetry/api',
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/resources',
  '@opentelemetry/semantic-conventions',
]
