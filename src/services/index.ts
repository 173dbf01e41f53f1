/** The services this build ships with; the registry is created from this explicit list. */
import type { ServiceDefinition } from '../engine/define.js'
import { discord } from './discord/index.js'
import { email } from './email/index.js'
import { github } from './github/index.js'
import { http } from './http/index.js'
import { rss } from './rss/index.js'
import { slack } from './slack/index.js'
import { timer } from './timer/index.js'
import { webhook } from './webhook/index.js'

export const builtinServices: readonly ServiceDefinition[] = [
  timer,
  http,
  webhook,
  rss,
  github,
  discord,
  slack,
  email,
]
