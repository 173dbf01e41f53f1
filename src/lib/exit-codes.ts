/** The CLI's exit codes (DESIGN §5); scripts and CI depend on them. */
export const ExitCode = {
  ok: 0,
  error: 1,
  changes: 2,
  invalid: 3,
  unauthenticated: 4,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]
