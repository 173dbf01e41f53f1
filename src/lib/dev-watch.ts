/**
 * `area dev --watch`: calls back once the AREA files settle after a change. The directories are
 * watched rather than the files, because editors often save by writing a new file and renaming
 * it over the old one, which ends a watch on the file itself. Several events within `debounceMs`
 * (one save can make three) give one call.
 */
import { type FSWatcher, statSync, watch } from 'node:fs'
import { basename, dirname, extname, resolve } from 'node:path'

export interface FileWatch {
  close(): void
}

const yamlExtensions = new Set(['.yaml', '.yml'])

export function watchAreaFiles(inputs: readonly string[], onChange: () => void, debounceMs = 300): FileWatch {
  // Directory → the names in it that matter (undefined: any YAML file, for a -f directory).
  const watched = new Map<string, Set<string> | undefined>()
  for (const input of inputs) {
    const path = resolve(input)
    let isDirectory = false
    try {
      isDirectory = statSync(path).isDirectory()
    } catch {
      // Gone already: watch for it to come back.
    }
    if (isDirectory) watched.set(path, undefined)
    else if (!watched.has(dirname(path)) || watched.get(dirname(path)) !== undefined) {
      const names = watched.get(dirname(path)) ?? new Set<string>()
      names.add(basename(path))
      watched.set(dirname(path), names)
    }
  }
  let timer: NodeJS.Timeout | undefined
  const changed = () => {
    clearTimeout(timer)
    timer = setTimeout(onChange, debounceMs)
  }
  const watchers: FSWatcher[] = []
  for (const [directory, names] of watched) {
    const watcher = watch(directory, (_event, name) => {
      if (name === null) return changed()
      if (names ? names.has(name) : yamlExtensions.has(extname(name))) changed()
    })
    // A directory that goes away ends its watch; the others keep working.
    watcher.on('error', () => watcher.close())
    watchers.push(watcher)
  }
  return {
    close() {
      clearTimeout(timer)
      for (const watcher of watchers) watcher.close()
    },
  }
}
