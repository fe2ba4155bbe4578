import { watch } from 'node:fs';

export interface FileWatchOptions {
  /** Called once per burst of changes (an editor's write, rename and chmod of one save), with the names that changed. */
  onChange: (names: string[]) => void;
  signal: AbortSignal;
  /** How long a burst lasts: the quiet time before `onChange` runs. */
  debounceMilliseconds?: number;
}

/** Host file changes, for `innover dev`'s topology: innover.yaml and .env. */
export interface FileWatchClient {
  /**
   * Watches the named files of `directory` until the signal aborts, then resolves. The folder is
   * watched, not the files: editors save by writing a new file and renaming it over the old one,
   * which would end a watch on the old file's inode.
   */
  watch(directory: string, names: readonly string[], options: FileWatchOptions): Promise<void>;
}

export function createFileWatchClient(): FileWatchClient {
  return {
    watch(directory, names, options) {
      return new Promise((resolve, reject) => {
        if (options.signal.aborted) return resolve();
        const changed = new Set<string>();
        let timer: NodeJS.Timeout | undefined;
        const flush = (): void => {
          timer = undefined;
          const batch = [...changed];
          changed.clear();
          if (batch.length > 0 && !options.signal.aborted) options.onChange(batch);
        };
        const watcher = watch(directory, { persistent: true, signal: options.signal }, (_event, name) => {
          const file = name?.toString();
          if (!file || !names.includes(file)) return;
          changed.add(file);
          clearTimeout(timer);
          timer = setTimeout(flush, options.debounceMilliseconds ?? 200);
        });
        watcher.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
        watcher.on('error', (error) => {
          clearTimeout(timer);
          // Aborting closes the watcher with an AbortError: that is the normal end.
          if (options.signal.aborted) resolve();
          else reject(error);
        });
      });
    },
  };
}
