import { Flags } from '@oclif/core'
import { BaseCommand } from '../../lib/base-command.js'
import { contextNameArg } from '../../lib/context-args.js'
import { setContext } from '../../lib/contexts.js'
import { helpText } from '../../lib/help-text.js'

export interface ContextSetOutput {
  name: string
  apiUrl: string
  created: boolean
  /** The context pointed at another server: the token saved for the old one was forgotten. */
  forgotToken: boolean
}

export default class ContextSet extends BaseCommand<typeof ContextSet, ContextSetOutput> {
  static override summary = 'Create a context, or change the server of one.'
  static override description = helpText([
    'Then log in to it with `area login --context <name>`, or switch to it with `area context use`.',
    'A context moved to another server forgets its token (it belongs to the old server).',
  ])
  static override examples = [
    {
      description: 'A context for the cluster, then log in to it.',
      command:
        '<%= config.bin %> <%= command.id %> prod --api-url https://area.example.com && <%= config.bin %> login --context prod',
    },
  ]
  static override args = contextNameArg('The context name.')
  static override flags = {
    'api-url': Flags.string({ summary: 'URL of the area API.', required: true, helpValue: '<url>' }),
  }

  async run(): Promise<ContextSetOutput> {
    const { created, forgotToken } = await setContext(this.args.name, this.flags['api-url'])
    return { name: this.args.name, apiUrl: this.flags['api-url'].replace(/\/+$/, ''), created, forgotToken }
  }

  protected override render({ name, apiUrl, created, forgotToken }: ContextSetOutput): string {
    if (forgotToken)
      this.note(`The token saved for the old server is forgotten: \`area login --context ${name}\`.`)
    return `${this.colors.green(created ? '+' : '~')} context "${name}" → ${apiUrl}`
  }
}
