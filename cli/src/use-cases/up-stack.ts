import { Writable } from 'node:stream';
import type { CommandContext } from '../command.js';
import { requireEngine, resolveStack, selectContainers } from './resolve-stack.js';
import { stackUrls, type StackUrl } from '../plan/stack-urls.js';
import { upTasks, type UpInput, type UpState } from './up-tasks.js';
import type { ContainerProgress } from './wait-for-health.js';

export interface UpArgs {
  services?: string[];
  profile?: string;
  /** commander's `--no-build` sets `build: false`. */
  build?: boolean;
  timeout?: number | string;
}

export interface UpResult {
  project: string;
  profile: string;
  envCreated: boolean;
  keycloakConfigured: boolean;
  apisPublished: boolean;
  seconds: number;
  containers: ContainerProgress[];
  urls: StackUrl[];
}

/**
 * `innover up`'s use case, for `up` and for the commands that start the stack first (`dev`):
 * preflight, `.env`, generate, build, `docker compose up -d`, wait until healthy in dependency
 * order, configure Keycloak and publish the service APIs when WSO2 runs beside them.
 */
export async function upStack(args: UpArgs, ctx: CommandContext): Promise<UpResult> {
  const started = Date.now();
  const target = await resolveStack(ctx, args.profile);
  const only = args.services?.length ? selectContainers(target.plan, args.services) : undefined;
  // No engine or no Compose: one line before any task list is drawn.
  await requireEngine(ctx);
  const compose = await ctx.client('compose');
  await compose.version();
  const input: UpInput = {
    ctx,
    compose,
    engine: await ctx.client('engine'),
    probe: async (url, signal) => (await ctx.client('http')).probe(url, signal),
    ...(only ? { only } : {}),
    build: args.build !== false,
    timeoutSeconds: Number(args.timeout ?? 900),
    configureKeycloak: async () => {
      const { configureKeycloak } = await import('../identity/configure.js');
      await configureKeycloak(ctx, { timeoutSeconds: 600, renderer: 'plain' });
    },
    publishApis: async () => {
      const { publishAllApis } = await import('../gateway/publish.js');
      await publishAllApis(ctx);
    },
    initEnv: async () => {
      const { initEnv } = await import('../env/init-env.js');
      await initEnv(ctx);
    },
  };
  const state: UpState = { target, envCreated: false, progress: [], keycloakConfigured: false };
  await runTasks(ctx, input, state);
  return {
    project: state.target.plan.project,
    profile: state.target.profile,
    envCreated: state.envCreated,
    keycloakConfigured: state.keycloakConfigured,
    apisPublished: state.apisPublished ?? false,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    containers: state.progress,
    urls: stackUrls(state.target.topology, state.target.plan),
  };
}

/** listr2 with live progress on a terminal, plain lines otherwise; progress always on stderr. */
async function runTasks(ctx: CommandContext, input: UpInput, state: UpState): Promise<void> {
  const { Listr, ListrLogger, ProcessOutput } = await import('listr2');
  const live = ctx.out.isTTY && Boolean(process.stderr.isTTY) && !ctx.json;
  const lines = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) ctx.out.info(line);
      callback();
    },
  }) as unknown as NodeJS.WriteStream;
  const stream = live ? process.stderr : lines;
  const processOutput = new ProcessOutput(stream, stream);
  const list = new Listr<UpState, 'default', 'simple'>(upTasks(input), {
    ctx: state,
    exitOnError: true,
    registerSignalListeners: false,
    renderer: 'default',
    fallbackRenderer: 'simple',
    fallbackRendererCondition: !live,
    rendererOptions: { logger: new ListrLogger({ processOutput }) },
    fallbackRendererOptions: { logger: new ListrLogger({ processOutput }) },
  });
  await list.run();
}
