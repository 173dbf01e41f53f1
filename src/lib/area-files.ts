/**
 * The `-f` files of validate, diff, apply, create and dev: validated offline first (nothing is
 * sent when any document is invalid; exit 3 with file:line:column issues), then sent as canonical
 * documents. Issues the server finds (an unknown connection…) come back under `/documents/<i>`;
 * they are put back at the file and line of that document.
 */
import { Flags } from '@oclif/core'
import { serviceRegistry } from '../plugins/service-registry.js'
import type { AreaDocument } from '../spec/document.js'
import { formatIssue, formatWarning } from '../spec/file-issue.js'
import { STDIN } from '../spec/read-sources.js'
import { type FilesValidation, type ValidatedArea, validateFiles } from '../spec/validate-files.js'
import { type ApiClient, ApiError } from './api-client.js'
import type { ApplyBatchAnswer } from './api-types.js'
import { CliError } from './cli-error.js'
import { ExitCode } from './exit-codes.js'

export const fileFlags = {
  file: Flags.string({
    char: 'f',
    summary: 'AREA file, directory of *.yaml/*.yml files, or - for stdin. Repeat for several.',
    required: true,
    multiple: true,
  }),
  recursive: Flags.boolean({
    char: 'R',
    summary: 'Also read the subdirectories of the directories given with -f.',
    default: false,
  }),
}

export interface LoadedAreas {
  areas: ValidatedArea[]
  documents: AreaDocument[]
}

/**
 * Reads and checks the files offline; `note` tells a person at a terminal that stdin is read,
 * and prints the warnings (likely mistakes that may be meant: they fail nothing).
 */
export async function validateAreaFiles(
  inputs: string[],
  recursive: boolean,
  note: (text: string) => void = (text) => process.stderr.write(`${text}\n`),
): Promise<FilesValidation> {
  if (inputs.includes(STDIN) && process.stdin.isTTY)
    note('Reading AREA documents from stdin; end with Ctrl-D.')
  const result = await validateFiles(inputs, await serviceRegistry(), process.env, { recursive })
  if (result.warnings.length > 0) note(result.warnings.map(formatWarning).join('\n'))
  return result
}

/** The files' documents, or a CliError listing every problem (exit 3). */
export async function loadAreaDocuments(inputs: string[], recursive: boolean): Promise<LoadedAreas> {
  const result = await validateAreaFiles(inputs, recursive)
  if (!result.valid) {
    const count = result.issues.length
    throw new CliError(
      `${count} problem${count === 1 ? '' : 's'} in the AREA files; nothing was sent to the server`,
      {
        exitCode: ExitCode.invalid,
        code: 'validation_failed',
        issues: result.issues.map((issue) => {
          const text = formatIssue(issue)
          const cut = text.lastIndexOf(`: ${issue.message}`)
          return { path: text.slice(0, cut), message: issue.message }
        }),
      },
    )
  }
  return { areas: result.areas, documents: result.areas.map((a) => a.area.document) }
}

/** Rewrites `/documents/<i>/…` issue paths of a server answer to `file:line: /…`. */
function locateServerIssues(error: unknown, areas: readonly ValidatedArea[]): unknown {
  if (!(error instanceof ApiError) || !error.issues?.length) return error
  const issues = error.issues.map((issue) => {
    const match = /^\/documents\/(\d+)(\/.*)?$/.exec(issue.path)
    const area = match ? areas[Number(match[1])] : undefined
    if (!match || !area) return issue
    return { path: `${area.file}:${area.line}:${area.column}: ${match[2] ?? '/'}`, message: issue.message }
  })
  return new CliError(`the server refused the AREA files; nothing was changed`, {
    exitCode: error.exitCode,
    code: error.code,
    issues,
  })
}

/** Sends the loaded documents to the apply endpoint; the server's issues point at the files. */
export function applyAreas(
  client: ApiClient,
  loaded: LoadedAreas,
  request: {
    mode: 'apply' | 'create'
    dryRun?: boolean
    prune?: boolean
    labelSelector?: string
    owner?: string
    takeOwnership?: boolean
  },
): Promise<ApplyBatchAnswer> {
  return client
    .post<ApplyBatchAnswer>('/v1/areas/apply', { documents: loaded.documents, ...request })
    .catch((error: unknown) => {
      throw locateServerIssues(error, loaded.areas)
    })
}
