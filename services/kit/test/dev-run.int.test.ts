import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/peers.js';
import { until } from '../../../test/support/until.js';

// innover dev's in-container runner (src/bin/dev-run.ts), run here as a local process over a scratch
// service: its src/api.ts starts the kit with one route answering the text of src/text.ts and the
// word of a scratch library (services/library/src/word.ts, watched as the kit is in a container).
const repository = fileURLToPath(new URL('../../../', import.meta.url));
const runner = join(repository, 'services/kit/src/bin/dev-run.ts');

let scratch: string;
let service: string;
let library: string;
let port: number;
let run: ChildProcess;
const lines: string[] = [];
let exited: Promise<number | null>;

const writeText = (source: string): void => writeFileSync(join(service, 'src/text.ts'), source);
const answer = async (): Promise<{ status: number; text: string; word: string } | undefined> => {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/hello`);
    return { status: response.status, ...((await response.json()) as { text: string; word: string }) };
  } catch {
    return undefined;
  }
};
const answering = (text: string) => until(`GET /hello to answer ${text}`, async () => ((await answer())?.text === text ? true : undefined), 30_000, 50);
const runnerLines = (pattern: RegExp) => lines.filter((line) => pattern.test(line));
/** A spare became ready after the last reload (INNOVER_DEV_DEBUG's line, after the last reloaded line). */
const spareAfterLastReload = (): boolean => {
  const lastReload = lines.findLastIndex((line) => /reloaded in/.test(line));
  return lines.findLastIndex((line) => /debug: a spare is ready/.test(line)) > lastReload;
};

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'innover-dev-run-'));
  // The scratch service resolves @innover/kit (its sources, --conditions=source) through the repository's packages.
  symlinkSync(join(repository, 'node_modules'), join(scratch, 'node_modules'));
  service = join(scratch, 'services/fixture');
  mkdirSync(join(service, 'src'), { recursive: true });
  library = join(scratch, 'services/library');
  mkdirSync(join(library, 'src'), { recursive: true });
  writeFileSync(join(library, 'package.json'), JSON.stringify({ name: 'library', type: 'module' }));
  writeFileSync(join(library, 'src/word.ts'), "export const word: string = 'alpha';\n");
  writeFileSync(join(service, 'package.json'), JSON.stringify({ name: 'fixture', type: 'module' }));
  writeFileSync(
    join(service, 'src/api.ts'),
    [
      "import { startApi } from '@innover/kit';",
      "import { text } from './text.ts';",
      "import { word } from '../../library/src/word.ts';",
      'await startApi({',
      '  routes: (router) => {',
      "    router.get('/hello', (_request, response) => void response.json({ text, word }));",
      "    router.get('/pid', (_request, response) => void response.json({ pid: process.pid }));",
      '  },',
      '});',
      '',
    ].join('\n'),
  );
  writeText("export const text: string = 'one';\n");
  await startRunner('one');
});

/** Starts the runner over the scratch service on a free port, until it answers `text` (when given). */
async function startRunner(text?: string): Promise<void> {
  port = await freePort();
  lines.length = 0;
  run = spawn(process.execPath, [runner, 'api', '--watch', join(service, 'src'), '--watch', join(library, 'src')], {
    cwd: service,
    env: { ...process.env, INNOVER_DEV_DEBUG: '1', SERVICE_NAME: 'fixture', PORT: String(port), LOG_LEVEL: 'warn', NODE_OPTIONS: '--conditions=source' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = run;
  exited = new Promise((resolve) => started.once('exit', (code) => resolve(code)));
  let buffered = '';
  run.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    lines.push(...complete.filter((line) => line.startsWith('innover-dev: ')));
  });
  run.stderr!.resume();
  if (text !== undefined) await answering(text);
}

afterAll(() => {
  if (run.exitCode === null) run.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

describe('the dev runner (innover dev, in the container)', () => {
  it('a good save reloads: a request sees the new text, and one line says so; no request fails meanwhile', async () => {
    // A client that keeps its connection alive, as fetch does: the replaced process must not drop it under a request.
    const seen: Array<{ status: number; text: string } | undefined> = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        seen.push(await answer());
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    writeText("export const text: string = 'two';\n");
    await until('a request to see two, then ten more answers', () => {
      const first = seen.findIndex((response) => response?.text === 'two');
      return first >= 0 && seen.length > first + 10 ? true : undefined;
    }, 30_000, 20);
    polling = false;
    await poller;
    expect(seen.filter((response) => response?.status !== 200)).toEqual([]);
    await until('the reload line', () => (runnerLines(/^innover-dev: reloaded in \d+\.\d s after .*services\/fixture\/src\/text\.ts changed$/).length === 1 ? true : undefined));
  });

  it('a syntax error keeps the old code answering (200, the old text), shown once with file and line; the next good save recovers', async () => {
    const seen: Array<{ status: number; text: string } | undefined> = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        seen.push(await answer());
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    writeText("export const text: string = ;\n");
    const kept = await until('the kept line', () => runnerLines(/kept the last good code/)[0], 30_000, 50);
    expect(kept).toMatch(/^innover-dev: kept the last good code: .*services\/fixture\/src\/text\.ts:1: SyntaxError: /);
    // The old process answers after the failure as before it.
    const after = seen.length;
    await until('more answers after the failure', () => (seen.length >= after + 5 ? true : undefined), 30_000, 20);
    polling = false;
    await poller;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((response) => response?.status === 200 && response.text === 'two')).toBe(true);

    writeText("export const text: string = 'three';\n");
    await answering('three');
    await until('the second reload line', () => (runnerLines(/reloaded in/).length === 2 ? true : undefined));
    expect(runnerLines(/kept the last good code/)).toHaveLength(1);
  });

  it("a library's change reaches the service too (the spare that preloaded the old library is not used)", async () => {
    // A spare with the old library loaded is ready, as it is when a user saves.
    await until('a spare with the old library', () => (spareAfterLastReload() ? true : undefined), 30_000, 50);
    writeFileSync(join(library, 'src/word.ts'), "export const word: string = 'beta';\n");
    await until('GET /hello to answer beta', async () => ((await answer())?.word === 'beta' ? true : undefined), 30_000, 50);
    expect((await answer())?.text).toBe('three');
  });

  it('SIGTERM stops the serving process gracefully and the runner exits 0', async () => {
    run.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await answer()).toBeUndefined();
  });

  it('a crash of the serving process (not a reload) ends the runner, for the engine to restart the container', async () => {
    await startRunner('three');
    const { pid } = (await (await fetch(`http://127.0.0.1:${port}/pid`)).json()) as { pid: number };
    process.kill(pid, 'SIGKILL');
    expect(await exited).toBe(1);
    expect(await answer()).toBeUndefined();
  });

  it('a first start that fails waits, serving nothing, for the next good save', async () => {
    writeText("export const text: string = ;\n");
    await startRunner();
    const waiting = await until('the waiting line', () => runnerLines(/nothing to serve until a good save/)[0], 30_000, 50);
    expect(waiting).toMatch(/^innover-dev: nothing to serve until a good save: .*services\/fixture\/src\/text\.ts:1: SyntaxError: /);
    expect(await answer()).toBeUndefined();
    writeText("export const text: string = 'four';\n");
    await answering('four');
    run.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
