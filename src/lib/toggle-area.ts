/** `area enable` and `area disable`: the same request, the other verb, for one name or several. */
import { ApiCommand } from './api-command.js'
import type { StateResult } from './api-types.js'
import { areaNamesArgs, eachArea, namesOf } from './area-batch.js'
import { areaPath } from './areas-api.js'
import { describeError } from './base-command.js'
import { ExitCode, type ExitCodeValue } from './exit-codes.js'

export interface ToggleResult {
  name: string
  enabled: boolean
  outcome: StateResult['outcome']
}

/** One AREA's result; an array of them when several names are given. */
export type ToggleOutput = ToggleResult | ToggleResult[]

/** What enable and disable share; each says its verb with `enable`, its summary and examples. */
export abstract class ToggleAreaCommand extends ApiCommand<typeof ToggleAreaCommand, ToggleOutput> {
  static override description = [
    'The file stays the reference: `area apply` sets spec.enabled back to what the file says.',
    "Several names are each handled; a name that doesn't exist is reported and the exit code is 1.",
  ].join(' ')

  static override strict = false
  static override args = areaNamesArgs

  protected abstract readonly enable: boolean
  /** What the request sends besides the name (enable's --catch-up). */
  protected requestBody(): Record<string, unknown> {
    return {}
  }
  private failed = 0

  async run(): Promise<ToggleOutput> {
    const names = namesOf(this.positionals)
    const client = await this.client()
    const batch = await eachArea(names, async (name): Promise<ToggleResult> => {
      const answer = await client.post<StateResult>(
        `${areaPath(name)}/${this.enable ? 'enable' : 'disable'}`,
        this.requestBody(),
      )
      return { name, enabled: answer.area.enabled, outcome: answer.outcome }
    })
    for (const { error } of batch.failed) this.reportError(describeError(error))
    this.failed = batch.failed.length
    return names.length === 1 && batch.done[0] ? batch.done[0] : batch.done
  }

  protected override render(output: ToggleOutput): string {
    return (Array.isArray(output) ? output : [output])
      .map((one) => {
        const state = one.enabled ? 'enabled' : 'disabled'
        return one.outcome === 'unchanged'
          ? `${one.name} was already ${state}.`
          : `${one.name} is now ${state}.`
      })
      .join('\n')
  }

  protected override exitCodeOf(): ExitCodeValue {
    return this.failed ? ExitCode.error : ExitCode.ok
  }
}
