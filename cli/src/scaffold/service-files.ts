/**
 * The files of a new service folder and its protobuf module: pure text from the service's name,
 * modelled on the smallest existing services (profile, forex). `innover new service` plans them;
 * nothing here reads or writes.
 */

/** The spellings of one kebab-case name the files use. */
export interface ServiceNames {
  /** `ledger-audit`: folder, package, container, topic prefix. */
  kebab: string;
  /** `ledgerAudit`: identifiers (always with a suffix, so `delete` stays a valid one). */
  camel: string;
  /** `ledger_audit`: the protobuf package segment. */
  snake: string;
  /** `LedgerAudit`: protobuf messages. */
  pascal: string;
}

export function serviceNames(kebab: string): ServiceNames {
  const words = kebab.split('-').filter(Boolean);
  const capitalized = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return { kebab, camel: (words[0] ?? '') + capitalized.slice(1).join(''), snake: words.join('_'), pascal: capitalized.join('') };
}

/** Dependency ranges the new package.json takes from the kit's, so both move together. */
export interface PackageVersions {
  kit: string;
  proto: string;
  zod: string;
}

export interface PlannedFile {
  /** POSIX path relative to the project root. */
  path: string;
  content: string;
}

/** `services/<name>/...`: the service folder, every file of it. */
export function serviceFolderFiles(names: ServiceNames, versions: PackageVersions): PlannedFile[] {
  const { kebab, camel } = names;
  const folder = `services/${kebab}`;
  const packageJson = {
    name: `@innover/${kebab}`,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=22' },
    dependencies: { '@innover/kit': versions.kit, '@innover/proto': versions.proto, zod: versions.zod },
  };
  const files: [string, string][] = [
    ['package.json', `${JSON.stringify(packageJson, null, 2)}\n`],
    [
      'tsconfig.json',
      `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist" },
  "include": ["src"],
  "references": [{ "path": "../kit" }, { "path": "../proto" }]
}
`,
    ],
    [
      'src/service.ts',
      `import { fileURLToPath } from 'node:url';
import { packageVersion, requireDependency } from '@innover/kit';
import type { ServiceDefinition } from '@innover/kit';
import { noteStore } from './data-access/notes.ts';
import { ${camel}Routes } from './entry-points/routes.ts';
import { ${camel}Tasks } from './entry-points/tasks.ts';

/** The ${kebab} service (made by \`innover new service\`): what is its own. Everything else comes from the kit. */
export const ${camel}Service: ServiceDefinition = {
  version: packageVersion(import.meta.url),
  migrationsDirectory: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes: (router, dependencies) => ${camel}Routes(router, () => noteStore(requireDependency(dependencies.database, 'DATABASE_URL'))),
  tasks: ${camel}Tasks,
};
`,
    ],
    [
      'src/api.ts',
      `import { startApi } from '@innover/kit';
import { ${camel}Service } from './service.ts';

await startApi(${camel}Service);
`,
    ],
    [
      'src/worker.ts',
      `import { startWorker } from '@innover/kit';
import { ${camel}Service } from './service.ts';

await startWorker(${camel}Service);
`,
    ],
    [
      'src/domain/notes.ts',
      `import { randomUUID } from 'node:crypto';
import { HttpError, isUuid } from '@innover/kit';

/** A note: the sample resource of a new service. Replace it with the service's own. */
export interface Note {
  id: string;
  body: string;
  createdAt: string;
}

/** Where notes live (data-access/notes.ts); tests pass one in memory. */
export interface NoteStore {
  insert(note: { id: string; body: string }): Promise<Note>;
  find(id: string): Promise<Note | undefined>;
}

/** The sample route's answer: no database, so it answers as soon as the API runs. */
export function hello(): { service: string; message: string } {
  return { service: '${kebab}', message: 'hello from ${kebab}' };
}

export async function createNote(store: NoteStore, body: string): Promise<Note> {
  return await store.insert({ id: randomUUID(), body });
}

export async function getNote(store: NoteStore, id: string): Promise<Note> {
  const note = isUuid(id) ? await store.find(id) : undefined;
  if (!note) throw new HttpError(404, 'note_not_found', \`no note \${id}\`);
  return note;
}

/** The sample task's work: \`innover test-worker ${kebab}\` runs \`add 1 2\` and prints 3. */
export function add(a: number, b: number): number {
  return a + b;
}
`,
    ],
    [
      'src/data-access/notes.ts',
      `import type { Queryable } from '@innover/kit';
import type { Note, NoteStore } from '../domain/notes.ts';

interface NoteRow {
  id: string;
  body: string;
  created_at: Date;
}

function toNote(row: NoteRow): Note {
  return { id: row.id, body: row.body, createdAt: row.created_at.toISOString() };
}

/** The notes table (migrations/001_notes.sql). */
export function noteStore(database: Queryable): NoteStore {
  return {
    async insert(note) {
      const [row] = await database.query<NoteRow>('INSERT INTO notes (id, body) VALUES ($1, $2) RETURNING id, body, created_at', [note.id, note.body]);
      if (!row) throw new Error('INSERT INTO notes returned no row');
      return toNote(row);
    },
    async find(id) {
      const [row] = await database.query<NoteRow>('SELECT id, body, created_at FROM notes WHERE id = $1', [id]);
      return row ? toNote(row) : undefined;
    },
  };
}
`,
    ],
    [
      'src/entry-points/routes.ts',
      `import { z } from 'zod';
import { validateBody } from '@innover/kit';
import type { ServiceDefinition } from '@innover/kit';
import { createNote, getNote, hello } from '../domain/notes.ts';
import type { NoteStore } from '../domain/notes.ts';

type Router = Parameters<NonNullable<ServiceDefinition['routes']>>[0];

export const createNoteRequest = z.strictObject({
  body: z.string().trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters'),
});

/** GET /hello (the sample route), POST /notes, GET /notes/:id: validate, call the use case, answer. */
export function ${camel}Routes(router: Router, store: () => NoteStore): void {
  router.get('/hello', (_request, response) => {
    response.json(hello());
  });
  router.post('/notes', validateBody(createNoteRequest), async (request, response) => {
    response.status(201).json(await createNote(store(), (request.body as z.infer<typeof createNoteRequest>).body));
  });
  router.get('/notes/:id', async (request, response) => {
    response.json(await getNote(store(), String(request.params['id'] ?? '')));
  });
}
`,
    ],
    [
      'src/entry-points/tasks.ts',
      `import { z } from 'zod';
import { defineTask } from '@innover/kit';
import type { TaskRegistry } from '@innover/kit';
import { add } from '../domain/notes.ts';

/** The same payload as the kit's sample \`add\`, so \`innover test-worker ${kebab}\` (\`add 1 2\`) reaches this one. */
export const addArguments = z.strictObject({ a: z.number({ message: 'must be a number' }), b: z.number({ message: 'must be a number' }) });

/** The worker's tasks: the sample \`add\`; put the service's own beside it. */
export const ${camel}Tasks: TaskRegistry = {
  add: defineTask(addArguments, async ({ a, b }) => add(a, b)),
};
`,
    ],
    [
      'migrations/001_notes.sql',
      `-- The sample table; valid on PostgreSQL and CockroachDB alike.
CREATE TABLE IF NOT EXISTS notes (
  id UUID PRIMARY KEY,
  body TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
`,
    ],
    [
      `test/${kebab}.test.ts`,
      `import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@innover/kit';
import { createApp } from '@innover/kit/app';
import type { Note, NoteStore } from '../src/domain/notes.js';
import { ${camel}Routes } from '../src/entry-points/routes.js';
import { ${camel}Tasks } from '../src/entry-points/tasks.js';

// The ${kebab} service's own app (the kit's createApp with its routes) on port 0, over notes in memory.
function memoryStore(): NoteStore {
  const notes = new Map<string, Note>();
  return {
    async insert(note) {
      const stored = { ...note, createdAt: '2026-01-01T00:00:00.000Z' };
      notes.set(note.id, stored);
      return stored;
    },
    async find(id) {
      return notes.get(id);
    },
  };
}

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  const store = memoryStore();
  const app = createApp({ serviceName: '${kebab}', serviceVersion: 'test', logger: createLogger({ serviceName: '${kebab}', level: 'silent' }), readinessChecks: [], routes: (router) => ${camel}Routes(router, () => store) });
  server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  baseUrl = \`http://127.0.0.1:\${(server.address() as AddressInfo).port}\`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(\`\${baseUrl}\${path}\`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('${kebab}', () => {
  it('answers the sample route', async () => {
    expect(await call('GET', '/hello')).toEqual({ status: 200, json: { service: '${kebab}', message: 'hello from ${kebab}' } });
  });

  it('creates a note and reads it back; an unknown id is note_not_found', async () => {
    const created = await call('POST', '/notes', { body: ' first ' });
    expect(created).toMatchObject({ status: 201, json: { body: 'first' } });
    expect(await call('GET', \`/notes/\${String(created.json['id'])}\`)).toMatchObject({ status: 200, json: { body: 'first' } });
    expect((await call('GET', '/notes/not-a-uuid')).status).toBe(404);
    expect((await call('POST', '/notes', { body: '' })).status).toBe(400);
  });

  it("runs the sample task: add 1 2 is 3, as innover test-worker ${kebab} prints", async () => {
    const add = ${camel}Tasks['add'];
    expect(add?.schema.safeParse({ a: 1, b: 2 }).success).toBe(true);
    expect(await add?.run({ a: 1, b: 2 }, undefined as never)).toBe(3);
  });
});
`,
    ],
  ];
  return files.map(([path, content]) => ({ path: `${folder}/${path}`, content }));
}

/** `protos/<name>/v1/<name>.proto`: its package and one sample event (published as `<name>.note-created.v1`). */
export function protoFile(names: ServiceNames): PlannedFile {
  return {
    path: `protos/${names.kebab}/v1/${names.kebab}.proto`,
    content: `syntax = "proto3";

// The ${names.kebab} service's messages. An event is a message whose field 1 is the common metadata; it is
// published to ${names.kebab}.<event in kebab-case>.v1.
package innover.${names.snake}.v1;

import "common/v1/common.proto";

// The sample event: a note was created (topic ${names.kebab}.note-created.v1).
message NoteCreated {
  innover.common.v1.EventMetadata metadata = 1;
  string note_id = 2;
  string body = 3;
}
`,
  };
}
