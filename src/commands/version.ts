import { BaseCommand } from '../lib/base-command.js'

/** The `--json` document; its shape is stable. */
export interface VersionOutput {
  version: string
  node: string
  platform: string
  arch: string
}

/** `area version`: what `area --version` prints, as a command too (kubectl, docker, gh). */
export default class Version extends BaseCommand<typeof Version, VersionOutput> {
  static override summary = 'Print the version of area, and of Node.js it runs on.'
  static override examples = [
    { description: 'The same line as --version.', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'For a bug report or a script.', command: '<%= config.bin %> <%= command.id %> --json' },
  ]

  async run(): Promise<VersionOutput> {
    return {
      version: this.config.version,
      node: process.versions.node,
      platform: process.platform,
      arch: process.arch,
    }
  }

  protected override render(): string {
    return this.config.userAgent
  }
}
