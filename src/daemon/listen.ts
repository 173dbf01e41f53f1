/**
 * Listening on a configured port, with errors that name the setting: a raw EADDRINUSE says
 * nothing of which variable to change. A default port that is taken (a second worker on the same
 * host) may give way to any free port, said in one log line.
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AreaError } from '../engine/errors.js'
import type { Logger } from '../engine/types.js'

export class PortInUseError extends AreaError {
  constructor(host: string, port: number, setting: string, options?: ErrorOptions) {
    super(
      'port_in_use',
      `port ${port} on ${host} is already in use (${setting}): another process listens there; stop it, or choose another port with ${setting} (0 picks a free one)`,
      options,
    )
  }
}

export interface ListenOptions {
  host: string
  port: number
  /** The variable or flag that sets the port, for the error and the log line. */
  setting: string
  /** When the port is taken, listen on any free port instead (the port was not chosen). */
  fallbackToAnyPort?: boolean
  logger?: Logger
  /** What listens, for the log line: `metrics`. */
  what?: string
}

/** Listens and resolves with the bound port. */
export async function listenOn(server: Server, options: ListenOptions): Promise<number> {
  try {
    await bind(server, options.host, options.port)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
    if (!options.fallbackToAnyPort || options.port === 0)
      throw new PortInUseError(options.host, options.port, options.setting, { cause: error })
    await bind(server, options.host, 0)
    const port = (server.address() as AddressInfo).port
    options.logger?.info(
      { port, busyPort: options.port, setting: options.setting },
      `${options.what ?? 'server'}: port ${options.port} is in use (another process on this host); listening on ${port} instead (set ${options.setting} to choose)`,
    )
    return port
  }
  return (server.address() as AddressInfo).port
}

function bind(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening)
      reject(error)
    }
    const onListening = () => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}
