/**
 * One process of `innover dev`'s runner (dev-run.ts): `dev-child.ts <entry> <root> [library dir]...`,
 * forked with IPC. It waits for the runner's messages, in order:
 *   { type: 'preload', urls }   imports what the last process loaded of the packages (node_modules) and
 *                               of the libraries' sources (the kit's, the generated protobuf code),
 *                               while the old process still serves: a reload of a service's own file
 *                               then loads only the service's sources (the runner discards a spare
 *                               that preloaded a library changed since);
 *   { type: 'start', reload }   imports the entry (src/api.ts, src/worker.ts), which starts the kit;
 *                               the kit reports `ready` itself (dev-reload.ts tellDevRunner);
 *   { type: 'modules' }         answers the packages the sources imported and the library modules loaded.
 * A start that throws (a syntax error, a failed import) is reported as one line and the process exits 1.
 */
import { registerHooks } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { devReloadVariable, startFailure } from '../dev-reload.ts';
import type { DevChildMessage } from '../dev-reload.ts';

type RunnerMessage = { type: 'preload'; urls: string[] } | { type: 'start'; reload: boolean } | { type: 'modules' };

const [entry, root = '/', ...libraries] = process.argv.slice(2);
if (!entry || !process.send) {
  process.stderr.write('usage: dev-child.ts <entry> [workspace root], forked with IPC by dev-run.ts\n');
  process.exit(2);
}

// What the next process preloads: the packages the sources import (node_modules entries imported from
// outside node_modules; their own imports follow from them) and every module of the libraries.
const libraryUrls = libraries.map((directory) => `${pathToFileURL(directory).href}/`);
const modules = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    const fromSources = context.parentURL !== undefined && !context.parentURL.includes('/node_modules/');
    if ((resolved.url.includes('/node_modules/') && fromSources) || libraryUrls.some((library) => resolved.url.startsWith(library))) modules.add(resolved.url);
    return resolved;
  },
});

const send = (message: DevChildMessage): Promise<void> => new Promise((done) => void process.send?.(message, undefined, {}, () => done()));

async function handle(message: RunnerMessage): Promise<void> {
  if (message.type === 'preload') {
    // A module that fails to load here fails again, with its real place, when the sources import it.
    for (const url of message.urls) await import(url).catch(() => undefined);
    await send({ innoverDev: 'preloaded', count: message.urls.length });
  } else if (message.type === 'start') {
    if (message.reload) process.env[devReloadVariable] = '1';
    try {
      await import(pathToFileURL(resolve(entry!)).href);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
      await send({ innoverDev: 'failed', detail: startFailure(text, root) });
      process.exit(1);
    }
  }
}

// The runner is gone (killed): so is this process, never an orphan holding the port.
process.on('disconnect', () => process.exit(1));

// Messages are handled one after the other (a start waits for the preload), but `modules` at once:
// an entry's top-level await may never settle.
let queue = Promise.resolve();
process.on('message', (message: RunnerMessage) => {
  if (message.type === 'modules') void send({ innoverDev: 'modules', urls: [...modules] });
  else queue = queue.then(() => handle(message));
});
