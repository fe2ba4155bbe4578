import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { UserError, type CommandContext, type CommandModule } from '../command.js';
import { withEndpoints } from '../context.js';
import { chartPath, defaultNamespace, defaultRelease, defaultSecretName, existingSecretFromValues } from '../targets/kubernetes/chart-contract.js';
import { deployToCluster, type ClusterEndpoints, type DeployResult } from '../targets/kubernetes/deploy.js';
import { formatTable } from '../output/table.js';
import type { Topology } from '../topology/schema.js';

export interface K8sDeployArgs {
  context?: string;
  namespace?: string;
  release?: string;
  timeout?: number | string;
  values?: string[];
}

/**
 * `innover k8s deploy`: helm upgrade --install, wait for the Jobs (complete or failed), configure
 * Keycloak and publish the APIs against the cluster, print the URLs.
 */
export const command: CommandModule<K8sDeployArgs, DeployResult> = {
  async handler(args, ctx) {
    const topology = await ctx.topology();
    const chart = join(ctx.root, chartPath);
    if (!existsSync(join(chart, 'Chart.yaml'))) throw new UserError(`${chartPath}/Chart.yaml is missing: run innover k8s render`);
    const valuesFiles = (args.values ?? []).map((file) => (isAbsolute(file) ? file : resolve(ctx.root, file)));
    const target = { namespace: args.namespace ?? defaultNamespace, ...(args.context ? { context: args.context } : {}) };
    return await deployToCluster({
      kube: await ctx.client('kubernetes'),
      target,
      release: { name: args.release ?? defaultRelease, chart, valuesFiles, timeoutSeconds: Number(args.timeout ?? 900) },
      secretName: (await existingSecretIn(valuesFiles)) ?? defaultSecretName,
      serviceNames: topology.services.map((service) => service.name),
      localPorts: localPorts(topology),
      progress: (line) => ctx.out.info(line),
      signal: ctx.signal,
      configureKeycloak: (endpoints) => configureAt(ctx, endpoints, target.namespace),
      publishApis: (endpoints) => publishAt(ctx, endpoints, target.namespace),
    });
  },
  render(result) {
    const table = formatTable(['WHAT', 'URL', 'HOW'], result.urls.map((entry) => [entry.name, entry.url, entry.command ?? entry.via]));
    const done = [
      `release ${result.release} deployed to namespace ${result.namespace}${result.context ? ` (context ${result.context})` : ''} in ${result.seconds} s`,
      `${result.jobs.length} Job${result.jobs.length === 1 ? '' : 's'} complete`,
      ...(result.keycloakConfigured ? ['Keycloak configured'] : []),
      ...(result.apisPublished ? ['APIs published'] : []),
    ].join('; ');
    return result.urls.length > 0 ? `${table}\n\n${done}` : done;
  },
};

/** The `secrets.existingSecret` of the last values file naming one. */
async function existingSecretIn(files: readonly string[]): Promise<string | undefined> {
  let found: string | undefined;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new UserError(`--values ${file}: cannot be read: check the path`, { exitCode: 2 });
    }
    let values: unknown;
    try {
      values = parse(text);
    } catch (error) {
      throw new UserError(`--values ${file}: not YAML (${(error as Error).message.split('\n')[0] ?? ''}): fix the file`, { exitCode: 2 });
    }
    found = existingSecretFromValues((values ?? {}) as Record<string, unknown>) ?? found;
  }
  return found;
}

/** The Compose host ports, reused as the local ports of the printed port-forward commands. */
function localPorts(topology: Topology): Record<string, number> {
  const infra = topology.infrastructure;
  return { keycloak: infra.keycloak.hostPort, wso2am: infra.wso2.gatewayHttpsHostPort, jaeger: infra.jaeger.uiHostPort, nginx: infra.nginx.hostPort };
}

/**
 * The use cases' fixes speak Compose (`innover up`, `innover logs`, `.env`); against a cluster the
 * same failure has kubectl's fix. One table, applied to each problem line.
 */
function clusterFixes(error: unknown, namespace: string): unknown {
  if (!(error instanceof UserError)) return error;
  const status = `innover k8s status --namespace ${namespace}`;
  const fixes: Array<[RegExp, string]> = [
    [/start it with `innover up`, or fix \w+ in \.env/g, `check ${status}, then rerun innover k8s deploy`],
    [/`innover logs (\S+?)`/g, `kubectl logs deployment/$1 -n ${namespace}`],
    [/wait until `innover health` shows it healthy/g, `wait until ${status} shows it healthy`],
  ];
  const problems = error.problems.map((problem) => fixes.reduce((line, [pattern, fix]) => line.replace(pattern, fix), problem));
  return new UserError(problems, { exitCode: error.exitCode, cause: error });
}

/** configure-keycloak's use case with the Keycloak and WSO2 clients pointed at the cluster. */
async function configureAt(ctx: CommandContext, endpoints: ClusterEndpoints, namespace: string): Promise<void> {
  const { configureKeycloak } = await import('../identity/configure.js');
  const result = await configureKeycloak(await withEndpoints(ctx, endpoints), { renderer: 'plain' }).catch((error: unknown) => {
    throw clusterFixes(error, namespace);
  });
  ctx.out.info(`  ${result.changed === 0 ? 'nothing to change' : `${result.changed} change(s) applied`}`);
}

/** publish-apis' use case with the WSO2 client pointed at the cluster; a failed API is a UserError. */
async function publishAt(ctx: CommandContext, endpoints: ClusterEndpoints, namespace: string): Promise<void> {
  const { publishAllApis } = await import('../gateway/publish.js');
  await publishAllApis(await withEndpoints(ctx, endpoints)).catch((error: unknown) => {
    throw clusterFixes(error, namespace);
  });
}
