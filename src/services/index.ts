/** The services this build ships with; the registry is created from this explicit list. */
import type { ServiceDefinition } from '../engine/define.js'
import { http } from './http/index.js'
import { timer } from './timer/index.js'

export const builtinServices: readonly ServiceDefinition[] = [timer, http]
