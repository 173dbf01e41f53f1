/**
 * How to type this CLI where it runs, for hints such as "run `area login`": `area` when it was
 * started as the installed command (npm install -g, npm link), `npx area` under npm exec in the
 * checkout, and the path of bin/run.js or bin/dev.js when it was run by path. A hint that names a
 * command the shell cannot find is worse than none (issue 12).
 */
import { basename, isAbsolute, relative } from 'node:path'

export interface Invocation {
  env?: NodeJS.ProcessEnv
  /** The script node runs: process.argv[1]. */
  script?: string
  cwd?: string
}

export function commandName({
  env = process.env,
  script = process.argv[1] ?? '',
  cwd = process.cwd(),
}: Invocation = {}): string {
  // npm exec (npx) sets npm_command; `npm run` scripts set another value.
  if (env.npm_command === 'exec') return 'npx area'
  const file = basename(script)
  if (file !== 'run.js' && file !== 'dev.js') return 'area'
  const fromHere = relative(cwd, script)
  return fromHere.startsWith('..') || isAbsolute(fromHere) ? script : `./${fromHere}`
}

/** Rewrites the `area …` commands quoted in a message (backticks) to the form that works here. */
export function withCommandName(text: string, name = commandName()): string {
  return name === 'area' ? text : text.replace(/`area(?=[ `])/g, `\`${name}`)
}
