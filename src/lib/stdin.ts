/** Secrets read from stdin (`--password-stdin`, `--with-token`), the way `docker login` does. */
import { CliError } from './cli-error.js'
import { ExitCode } from './exit-codes.js'

export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  return Buffer.concat(chunks).toString('utf8')
}

/** The first line of stdin, without its line end; fails naming `flag` when it is empty. */
export async function readSecretLine(flag: string): Promise<string> {
  const text = await readStdin()
  const line = text.split(/\r?\n/, 1)[0] ?? ''
  if (!line) {
    throw new CliError(
      `${flag} reads from stdin, and stdin was empty: pipe it in, e.g. \`printenv SECRET | area … ${flag}\``,
      {
        exitCode: ExitCode.invalid,
        code: 'empty_stdin',
      },
    )
  }
  return line
}
