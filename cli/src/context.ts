import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CommandContext, Output } from './command.js';
import { createClient, type ClientName, type Clients } from './clients/clients.js';
import type { Topology } from './topology/schema.js';
import { topologyFileName } from './topology/topology-file.js';
import type { EnvConfig } from './env/schema.js';
import type { CommandSpec } from './commands/registry.js';

/** What tests (and bin/) may set; everything else gets a production default. */
export interface ContextOverrides {
  root?: string;
  cwd?: string;
  json?: boolean;
  out?: Output;
  env?: Record<string, string | undefined>;
  /** Fakes for side-effect clients. When `clients` is given, asking for one it lacks throws. */
  clients?: Partial<Clients>;
  topology?: Topology;
  dotenv?: EnvConfig;
  signal?: AbortSignal;
  /** The CLI's command specs (main passes the registry's); see CommandContext.commands. */
  commands?: readonly CommandSpec[];
}

export { topologyFileName } from './topology/topology-file.js';

/** Walks up from `start` to the folder holding innover.yaml; falls back to `start`. */
export function findProjectRoot(start: string): string {
  let current = resolve(start);
  for (;;) {
    if (existsSync(join(current, topologyFileName))) return current;
    const parent = dirname(current);
    if (parent === current) return resolve(start);
    current = parent;
  }
}

/** The overrides each context was made with, for {@link withEndpoints}. */
const madeWith = new WeakMap<CommandContext, ContextOverrides>();

/**
 * The same project, output and signal with some `.env` values replaced: `k8s deploy` points
 * configure-keycloak and publish-apis at a cluster's port-forwards this way. Its clients are made
 * afresh over the replaced values (the Keycloak and WSO2 clients read their URLs from `dotenv()`);
 * a test context keeps its fakes.
 */
export async function withEndpoints(ctx: CommandContext, values: Partial<EnvConfig>): Promise<CommandContext> {
  const [topology, dotenv] = await Promise.all([ctx.topology(), ctx.dotenv()]);
  const made = madeWith.get(ctx);
  return remake(ctx, { topology, dotenv: { ...dotenv, ...values }, ...(made?.clients ? { clients: made.clients } : {}) });
}

/** A context over the same project, output, environment and signal as `ctx`, with `overrides` on top. */
function remake(ctx: CommandContext, overrides: ContextOverrides): CommandContext {
  return createContext({ root: ctx.root, json: ctx.json, out: ctx.out, env: ctx.env, signal: ctx.signal, ...overrides });
}

/**
 * The same project, output, signal and clients over another topology: `innover dev` applies a changed
 * innover.yaml through it. `.env` is read again, as the keys it must hold follow the topology.
 */
export function withTopology(ctx: CommandContext, topology: Topology): CommandContext {
  const made = madeWith.get(ctx);
  return remake(ctx, {
    topology,
    ...(made?.dotenv ? { dotenv: made.dotenv } : {}),
    ...(made?.clients ? { clients: made.clients } : {}),
    ...(ctx.commands ? { commands: ctx.commands } : {}),
  });
}

export function createContext(overrides: ContextOverrides & { out: Output }): CommandContext {
  const root = overrides.root ?? findProjectRoot(overrides.cwd ?? process.cwd());
  const env = overrides.env ?? process.env;
  let topology: Promise<Topology> | undefined;
  let dotenv: Promise<EnvConfig> | undefined;
  const made = new Map<ClientName, Promise<unknown>>();

  const context: CommandContext = {
    root,
    json: overrides.json ?? false,
    out: overrides.out,
    env,
    signal: overrides.signal ?? new AbortController().signal,
    ...(overrides.commands ? { commands: overrides.commands } : {}),
    topology() {
      if (overrides.topology) return Promise.resolve(overrides.topology);
      topology ??= import('./topology/load.js').then((module) => module.loadTopology(root));
      return topology;
    },
    dotenv() {
      if (overrides.dotenv) return Promise.resolve(overrides.dotenv);
      // Which client secrets .env must hold follows the topology's services[].calls.
      dotenv ??= Promise.all([import('./env/load.js'), context.topology()]).then(([module, loaded]) => module.loadEnvFile(root, loaded));
      return dotenv;
    },
    client<K extends ClientName>(name: K): Promise<Clients[K]> {
      if (overrides.clients) {
        const fake = overrides.clients[name];
        if (!fake) return Promise.reject(new Error(`test context has no '${name}' client`));
        return Promise.resolve(fake as Clients[K]);
      }
      let client = made.get(name);
      if (!client) {
        client = createClient(name, context);
        made.set(name, client);
      }
      return client as Promise<Clients[K]>;
    },
  };
  madeWith.set(context, overrides);
  return context;
}
