import { Args } from '@oclif/core'
import { stringify } from 'yaml'
import type { ServiceDetails } from '../../lib/api-types.js'
import { BaseCommand } from '../../lib/base-command.js'
import type { Colors } from '../../lib/colors.js'
import { commandName } from '../../lib/command-name.js'
import { localService } from '../../lib/local-catalog.js'
import { fieldRows } from '../../lib/schema-fields.js'
import { shapeLines } from '../../lib/shape-lines.js'
import { formatTable } from '../../lib/table.js'

type Param = ServiceDetails['actions'][number]['params'][number]

export default class ServicesDescribe extends BaseCommand<typeof ServicesDescribe, ServiceDetails> {
  static override summary =
    'Show a service: its connection, its actions and reactions with every param, the event each action emits, the output of each reaction, and examples.'
  static override description =
    'Read from the services built into this CLI: no server and no login needed. Nested params and event or output fields are listed as dotted paths (headers.<key>, issue.user.login); `object, open` marks an object with more fields than those listed. --json includes the JSON Schemas (paramsSchema, eventSchema, outputSchema).'
  static override examples = [
    { description: 'What the http service offers.', command: '<%= config.bin %> <%= command.id %> http' },
    {
      description: 'The JSON Schema of every params object, event and output.',
      command: '<%= config.bin %> <%= command.id %> timer --json',
    },
  ]

  static override args = {
    service: Args.string({ description: 'The service id (see `area services list`).', required: true }),
  }

  async run(): Promise<ServiceDetails> {
    return localService(this.args.service)
  }

  protected override render(service: ServiceDetails): string {
    return describe(service, this.colors)
  }
}

function describe(service: ServiceDetails, c: Colors): string {
  const lines = [
    `${c.bold(service.name)} (${service.id}): ${service.description}`,
    c.dim(`auth: ${service.authKind}`),
    ...credentialLines(service, c),
  ]
  for (const action of service.actions) {
    const polling = action.triggers.includes('polling')
      ? action.scheduleFromParams
        ? ', cadence from params'
        : `, polling every ${action.defaultPollingIntervalSeconds}s by default (min ${action.minPollingIntervalSeconds}s)`
      : ''
    lines.push('', `${c.bold('Action')} ${service.id}.${action.id}: ${action.description}`)
    lines.push(c.dim(`  triggers: ${action.triggers.join(', ')}${polling}`))
    lines.push(...paramLines(action.params, action.paramsSchema, c))
    lines.push(
      ...shapeLines('event, as {{ trigger.… }}', action.eventSchema, 'example event', action.exampleEvent, c),
    )
  }
  for (const reaction of service.reactions) {
    lines.push('', `${c.bold('Reaction')} ${service.id}.${reaction.id}: ${reaction.description}`)
    lines.push(...paramLines(reaction.params, reaction.paramsSchema, c))
    lines.push(
      ...shapeLines(
        'output fields',
        reaction.outputSchema,
        'output, as {{ reactions.<id>.… }} in later reactions, e.g.',
        reaction.exampleOutput,
        c,
      ),
    )
  }
  lines.push(
    '',
    c.bold('Example:'),
    ...exampleDocument(service)
      .split('\n')
      .map((l) => `  ${l}`),
  )
  return lines.join('\n')
}

/** What `area connections add <service>` asks for, and whether `--web` works on this server. */
function credentialLines(service: ServiceDetails, c: Colors): string[] {
  const credentials = service.credentials
  if (!credentials) return []
  const lines: string[] = []
  const kinds = [credentials, ...(credentials.alternatives ?? [])]
  for (const [i, declared] of kinds.entries()) {
    const flag = kinds.length > 1 ? ` --kind ${declared.kind}` : ''
    lines.push(
      '',
      `${c.bold('Connection')} (kind ${declared.kind}): ${commandName()} connections add ${service.id}${flag}${i === 0 && kinds.length > 1 ? ' (the default kind)' : ''}`,
    )
    const table = formatTable(
      ['FIELD', 'TYPE', 'REQUIRED', 'SECRET', 'DESCRIPTION'],
      declared.fields.map((f) => [
        f.name,
        f.type,
        f.required ? 'yes' : 'no',
        f.secret ? 'yes' : 'no',
        f.description,
      ]),
      { header: c.dim },
    )
    lines.push(...table.split('\n').map((l) => `  ${l}`))
  }
  const oauth2 = credentials.oauth2
  if (oauth2) {
    const scopes = oauth2.scopes.length ? ` (scopes: ${oauth2.scopes.join(' ')})` : ''
    lines.push(
      c.dim(
        oauth2.configured
          ? `  or OAuth 2${scopes}: ${commandName()} connections add ${service.id} --web`
          : `  or OAuth 2${scopes}: ${commandName()} connections add ${service.id} --web, once the server has an OAuth app (AREA_${service.id.toUpperCase()}_CLIENT_ID and AREA_${service.id.toUpperCase()}_CLIENT_SECRET)`,
      ),
    )
  }
  return lines
}

/** Every field, nested ones included, with its examples on a line under it. */
function paramLines(params: readonly Param[], schema: unknown, c: Colors): string[] {
  if (!params.length) return [c.dim('  no params')]
  const secret = new Set(params.filter((p) => p.secret).map((p) => p.name))
  const rows = fieldRows(schema)
  const table = formatTable(
    ['PARAM', 'TYPE', 'REQUIRED', 'DEFAULT', 'DESCRIPTION'],
    rows.map((f) => [
      f.path,
      f.secret || secret.has(f.path) ? `${f.type}, secret` : f.type,
      f.required ? 'yes' : 'no',
      f.default === undefined ? '' : JSON.stringify(f.default),
      f.description,
    ]),
    { header: c.dim },
  )
  const lines = table.split('\n').map((l) => `  ${l}`)
  const examples = rows.filter((f) => f.examples.length)
  if (examples.length) {
    lines.push('  examples:')
    for (const f of examples)
      lines.push(`    ${f.path}: ${f.examples.map((e) => JSON.stringify(e)).join(', ')}`)
  }
  return lines
}

/** A document using the service's first action or reaction, its required params as placeholders. */
function exampleDocument(service: ServiceDetails): string {
  const placeholders = (params: readonly Param[]) =>
    Object.fromEntries(params.filter((p) => p.required).map((p) => [p.name, p.default ?? `<${p.type}>`]))
  const action = service.actions[0]
  const reaction = service.reactions[0]
  const doc = {
    apiVersion: 'area/v1',
    kind: 'Area',
    metadata: { name: `my-${service.id}-area` },
    spec: {
      action: action
        ? { service: service.id, action: action.id, params: placeholders(action.params) }
        : { service: 'webhook', action: 'received' },
      reactions: [
        reaction
          ? { id: 'first', service: service.id, reaction: reaction.id, params: placeholders(reaction.params) }
          : {
              id: 'first',
              service: 'http',
              reaction: 'request',
              params: { url: 'https://example.com/hook' },
            },
      ],
    },
  }
  return stringify(doc).trimEnd()
}
