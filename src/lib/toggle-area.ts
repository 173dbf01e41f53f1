/** `area enable` and `area disable`: the same request, the other verb. */
import { ApiCommand } from './api-command.js'
import type { StateResult } from './api-types.js'
import { areaArgs } from './area-args.js'
import { areaPath } from './areas-api.js'

export interface ToggleOutput {
  name: string
  enabled: boolean
  outcome: StateResult['outcome']
}

/** What enable and disable share; each says its verb with `enable`, its summary and examples. */
export abstract class ToggleAreaCommand extends ApiCommand<typeof ToggleAreaCommand, ToggleOutput> {
  static override description =
    'The file stays the reference: `area apply` sets spec.enabled back to what the file says.'

  static override args = areaArgs

  protected abstract readonly enable: boolean

  async run(): Promise<ToggleOutput> {
    const { name } = this.args
    const answer = await (await this.client()).post<StateResult>(
      `${areaPath(name)}/${this.enable ? 'enable' : 'disable'}`,
    )
    return { name, enabled: answer.area.enabled, outcome: answer.outcome }
  }

  protected override render(output: ToggleOutput): string {
    const state = output.enabled ? 'enabled' : 'disabled'
    return output.outcome === 'unchanged'
      ? `${output.name} was already ${state}.`
      : `${output.name} is now ${state}.`
  }
}
