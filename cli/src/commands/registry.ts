import type { CommandModule } from '../command.js';

/** How a flag's value is checked before the handler runs; a bad value is a usage error (exit 2). */
export type OptionValue = 'string' | 'positive-int' | 'non-negative-int';

export interface OptionSpec {
  /** Commander flags, e.g. `--tail <lines>` or `-f, --follow`. */
  flags: string;
  description: string;
  defaultValue?: string | boolean;
  /** Allowed values; anything else is refused with the list. */
  choices?: readonly string[];
  value?: OptionValue;
}

export interface ArgumentSpec {
  /** `<name>` required, `[name]` optional, `[name...]` variadic. */
  syntax: string;
  description: string;
}

/**
 * A command as the CLI knows it before loading it. Keeping names, descriptions and flags here,
 * apart from the modules, is what keeps `innover --help` fast: no command module is imported
 * until it runs.
 */
export interface CommandSpec {
  /** `up`, or `<group> <command>` for a subcommand (`k8s render`); a group's description is in `commandGroups`. */
  name: string;
  description: string;
  arguments?: readonly ArgumentSpec[];
  options?: readonly OptionSpec[];
  /** Pass unknown flags through to the arguments (for commands wrapping another tool). */
  passThrough?: boolean;
  load(): Promise<{ command: CommandModule<never, unknown> }>;
}

const profile: OptionSpec = {
  flags: '-p, --profile <name>',
  description: 'stack profile (default: the last one used, else full)',
};
const timeout = (seconds: number, what: string): OptionSpec => ({
  flags: '--timeout <seconds>',
  description: `give up ${what} after this many seconds`,
  defaultValue: String(seconds),
  value: 'positive-int',
});

/** `--context` and `--namespace` of the k8s commands. */
const kubeTarget: readonly OptionSpec[] = [
  { flags: '--context <name>', description: 'kubeconfig context (default: the current one)' },
  { flags: '--namespace <name>', description: 'namespace of the release', defaultValue: 'innover' },
];

/** Descriptions of the command groups (`innover k8s --help`); each group's commands are in `commands`. */
export const commandGroups: Readonly<Record<string, string>> = {
  images: "move the profile's images to a registry or an archive, for a cluster (air-gapped too)",
  new: 'add to the project: a complete new service in one command',
  remove: 'remove from the project what new added',
  k8s: 'run the stack on Kubernetes: a Helm chart rendered from the same topology, its Secret, deploy and status',
};

export const commands: readonly CommandSpec[] = [
  {
    name: 'init',
    description: 'write .env from .env.example with fresh random secrets; on an existing .env, fill placeholders and add new keys, keeping real values',
    load: () => import('./init.js'),
  },
  {
    name: 'generate',
    description: 'render docker-compose.yml and every derived config from the topology',
    options: [{ flags: '--check', description: 'write nothing; exit non-zero when a generated file drifts' }],
    load: () => import('./generate.js'),
  },
  {
    name: 'doctor',
    description: 'check Docker, Compose, free ports, memory, CPUs, AIO slots, .env and the CockroachDB licence, each finding with its fix',
    options: [profile],
    load: () => import('./doctor.js'),
  },
  {
    name: 'up',
    description: 'build and start the stack (or just the named services) and wait until healthy',
    arguments: [{ syntax: '[services...]', description: 'only these containers' }],
    options: [
      profile,
      { flags: '--no-build', description: 'start from the images already built' },
      timeout(900, 'waiting for the stack'),
    ],
    load: () => import('./up.js'),
  },
  {
    name: 'dev',
    description: "start the profile, run the services from their sources and reload one on save (its src/ or the kit's) until Ctrl-C, which leaves the stack running",
    arguments: [{ syntax: '[services...]', description: 'only these app services (e.g. payment); all of the profile by default' }],
    options: [profile, timeout(900, 'waiting for the stack')],
    load: () => import('./dev.js'),
  },
  {
    name: 'down',
    description: 'stop and remove the containers, networks and volumes',
    options: [profile, { flags: '--keep-volumes', description: 'keep the data volumes' }],
    load: () => import('./down.js'),
  },
  {
    name: 'ps',
    description: 'list containers: state, health, ports and uptime',
    options: [profile],
    load: () => import('./ps.js'),
  },
  {
    name: 'health',
    description: 'like ps; exits non-zero when any container is unhealthy',
    options: [profile],
    load: () => import('./health.js'),
  },
  {
    name: 'logs',
    description: 'show container logs, prefixed and coloured by service',
    arguments: [{ syntax: '[services...]', description: 'only these containers' }],
    options: [
      profile,
      { flags: '-f, --follow', description: 'keep streaming new lines' },
      { flags: '--tail <lines>', description: 'lines per container', defaultValue: '200', value: 'non-negative-int' },
    ],
    load: () => import('./logs.js'),
  },
  {
    name: 'restart',
    description: 'restart a container and wait until it is healthy again',
    arguments: [{ syntax: '<services...>', description: 'containers to restart' }],
    options: [profile, timeout(300, 'waiting for health')],
    load: () => import('./restart.js'),
  },
  {
    name: 'rebuild',
    description: 'rebuild images without cache; starts nothing',
    arguments: [{ syntax: '[services...]', description: 'only these services' }],
    options: [profile],
    load: () => import('./rebuild.js'),
  },
  {
    name: 'urls',
    description: 'list the URLs of every part of the stack',
    options: [
      profile,
      { flags: '--format <format>', description: 'table or env', defaultValue: 'table', choices: ['table', 'env'] },
    ],
    load: () => import('./urls.js'),
  },
  {
    name: 'nuke',
    description: 'down, plus remove volumes and the images innover built',
    options: [profile],
    load: () => import('./nuke.js'),
  },
  {
    name: 'smoke',
    description: 'prove the running stack works end to end, one row per check',
    options: [profile, timeout(120, 'the whole run')],
    load: () => import('./smoke.js'),
  },
  {
    name: 'load',
    description: 'run payments through the stack (demo and load generator): throughput, latencies, outcomes and the invariant check',
    arguments: [{ syntax: '<scenario>', description: 'what to run: payments' }],
    options: [
      { flags: '--count <n>', description: 'payments to run', defaultValue: '100' },
      { flags: '--concurrency <n>', description: 'payments in flight at once (1 to --count)', defaultValue: '10' },
      { flags: '--cross-currency <ratio>', description: 'fraction 0..1 of payments to a payee wallet in USD or GBP', defaultValue: '0' },
      { flags: '--rate <per-second>', description: 'start payments at this rate (open loop, at most --concurrency in flight); default: as fast as they finish' },
      { flags: '--via <route>', description: "direct (the services' published ports) or gateway (WSO2)", defaultValue: 'direct' },
      { flags: '--timeout <seconds>', description: 'give up waiting for the payments after this many seconds', defaultValue: '120' },
      profile,
    ],
    load: () => import('./load.js'),
  },
  {
    name: 'workers',
    description: 'per queue: workers online, active jobs, waiting and failed counts',
    options: [profile],
    load: () => import('./workers.js'),
  },
  {
    name: 'test-worker',
    description: "dispatch a task to a service's queue and print its result (default: add 1 2)",
    arguments: [
      { syntax: '<service>', description: 'service whose queue gets the task' },
      { syntax: '[task]', description: 'task name (default add)' },
      { syntax: '[args...]', description: 'task arguments (default 1 2)' },
    ],
    options: [profile, timeout(30, 'waiting for the result')],
    load: () => import('./test-worker.js'),
  },
  {
    name: 'proto',
    description: 'generate TypeScript from protos/ into the one shared package services/proto (@innover/proto)',
    options: [{ flags: '--check', description: 'write nothing; exit non-zero when generated code drifts' }],
    load: () => import('./proto.js'),
  },
  {
    name: 'new service',
    description: 'add a service: its folder (routes, a task, a migration, a test), topology entry, workspace, protos, realm roles, API entry, and every derived file',
    arguments: [{ syntax: '<name>', description: 'kebab-case service name, e.g. ledger-audit' }],
    options: [
      { flags: '--port <port>', description: 'host port of its API (default: the first free one from 8101)', value: 'positive-int' },
      { flags: '--queue-concurrency <jobs>', description: "the worker's concurrency (default 1)", value: 'positive-int' },
      { flags: '--dry-run', description: 'write nothing; list the files it would write or change' },
    ],
    load: () => import('./new-service.js'),
  },
  {
    name: 'remove service',
    description: 'remove a service: its folders, topology entry, workspace, realm roles, API entry; refused while another service consumes its events or calls it',
    arguments: [{ syntax: '<name>', description: 'the service to remove' }],
    options: [{ flags: '--dry-run', description: 'write nothing; list the files it would remove or change' }],
    load: () => import('./remove-service.js'),
  },
  {
    name: 'db-shell',
    description: "open a SQL shell, as a service's user on its database or as the admin",
    arguments: [{ syntax: '[service]', description: 'connect as this service (default: admin)' }],
    options: [profile],
    load: () => import('./db-shell.js'),
  },
  {
    name: 'redis-cli',
    description: 'run redis-cli in the Redis container, authenticated',
    arguments: [{ syntax: '[args...]', description: 'redis-cli arguments (default: interactive)' }],
    options: [profile],
    passThrough: true,
    load: () => import('./redis-cli.js'),
  },
  {
    name: 'kafka-topics',
    description: 'run rpk topic in the Redpanda container (default: list)',
    arguments: [{ syntax: '[args...]', description: 'rpk topic arguments (default: list)' }],
    options: [profile],
    passThrough: true,
    load: () => import('./kafka-topics.js'),
  },
  {
    name: 'configure-keycloak',
    description: 'align the Keycloak realm with the topology and register it as the WSO2 key manager',
    options: [timeout(600, 'waiting for Keycloak and WSO2')],
    load: () => import('./configure-keycloak.js'),
  },
  {
    name: 'publish-apis',
    description: 'create, deploy and publish the APIs of wso2/api-config.yaml on the WSO2 gateway',
    options: [
      { flags: '--only <name>', description: 'only this API' },
      { flags: '--dry-run', description: 'print the requests it would send (secrets masked); contacts nothing' },
      { flags: '--file <path>', description: 'API config file', defaultValue: 'wso2/api-config.yaml' },
    ],
    load: () => import('./publish-apis.js'),
  },
  {
    name: 'images push',
    description: 'build, tag and push the service images as <registry>/innover/<service>:<tag>; --all adds the third-party images',
    arguments: [{ syntax: '[containers...]', description: 'only the images these containers run' }],
    options: [
      { flags: '--registry <host>', description: 'registry to push to: host[:port][/path] (login: INNOVER_REGISTRY_USERNAME and INNOVER_REGISTRY_PASSWORD, else the one docker login stored)' },
      { flags: '--tag <tag>', description: 'tag of the service images (default: the CLI version); set the same image.tag in the chart\'s values' },
      { flags: '--all', description: 'push the third-party images too (database, Redis, Redpanda, ...), under <registry>/<their path>:<their tag>' },
      profile,
      { flags: '--no-build', description: 'use the service images already built' },
    ],
    load: () => import('./images-push.js'),
  },
  {
    name: 'images save',
    description: 'write one archive (docker save format) with every image of a profile, third-party ones included',
    arguments: [{ syntax: '<file>', description: 'archive to write (replaced only once complete)' }],
    options: [profile, { flags: '--no-build', description: 'use the service images already built' }],
    load: () => import('./images-save.js'),
  },
  {
    name: 'images load',
    description: 'load an archive written by images save into the Docker engine and list what it loaded',
    arguments: [{ syntax: '<file>', description: 'archive to read' }],
    load: () => import('./images-load.js'),
  },
  {
    name: 'k8s render',
    description: 'write the Helm chart of a profile (the default profile\'s is committed at deploy/helm/innover)',
    options: [
      { flags: '-p, --profile <name>', description: 'stack profile (default: the topology\'s default profile)' },
      { flags: '--out <dir>', description: 'write the chart here instead (relative to the project root)' },
      { flags: '--check', description: 'write nothing; exit non-zero when the chart drifts from the topology' },
    ],
    load: () => import('./k8s-render.js'),
  },
  {
    name: 'k8s secrets',
    description: "create or update the chart's Secret from .env (server-side apply, the manifest on stdin)",
    options: [
      { flags: '--dry-run', description: 'print the manifest with every value masked; contacts nothing' },
      ...kubeTarget,
    ],
    load: () => import('./k8s-secrets.js'),
  },
  {
    name: 'k8s deploy',
    description: 'helm upgrade --install the chart, wait for its Jobs, configure Keycloak and publish the APIs on the cluster, print the URLs',
    options: [
      ...kubeTarget,
      { flags: '--release <name>', description: 'Helm release name', defaultValue: 'innover' },
      { flags: '--values <files...>', description: 'values files for helm, relative to the project root (e.g. one with the ingress or secrets.existingSecret)' },
      timeout(900, 'waiting for the release and its Jobs'),
    ],
    load: () => import('./k8s-deploy.js'),
  },
  {
    name: 'k8s status',
    description: 'like health, from the cluster: one row per workload; exits non-zero when any is not ready',
    options: [...kubeTarget, { flags: '--release <name>', description: 'Helm release name', defaultValue: 'innover' }],
    load: () => import('./k8s-status.js'),
  },
];
