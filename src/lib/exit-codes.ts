/**
 * The CLI's exit codes. Scripts and CI depend on them: a code keeps its meaning forever. The base
 * command (base-command.ts) maps every failure to one of them.
 */
export const ExitCode = {
  ok: 0,
  /** Any other failure: the server refused, could not be reached, a bug. */
  error: 1,
  /** `area diff`: applying the files would change something. */
  changes: 2,
  /** Invalid input: a flag, an argument, an AREA file, or the daemon's configuration. */
  invalid: 3,
  /** No token, or one the server does not accept. */
  unauthenticated: 4,
  /** Ctrl-C or Ctrl-D at a prompt: 128 + SIGINT, as a shell reports an interrupted command. */
  interrupted: 130,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]
