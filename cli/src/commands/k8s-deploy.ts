import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { UserError, type CommandContext, type CommandModule } from '../command.js';
import { withEndpoints } from '../context.js';
import { chartPath, defaultNamespace, defaultRelease, defaultSecretName, existingSecretFromValues } from '../targets/kubernetes/chart-contract.js';
import { deployToCluster, type ClusterEndpoints, type DeployResult } from '../targets/kubernetes/deploy.js';
import { formatTable } from '../stack/table.js';
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
      configureKeycloak: (endpoints) => configureAt(ctx, endpoints),
      publishApis: (endpoints) => publishAt(ctx, endpoints),
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

/** Any failure of a step against the cluster as one line, naming the endpoint it used. */
function clusterFailure(step: string, endpoint: string, error: unknown): unknown {
  if (error instanceof UserError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new UserError(`${step} against the cluster (${endpoint}) failed: ${message}: check innover k8s status, then rerun innover k8s deploy`, { cause: error });
}

/** configure-keycloak's steps with the Keycloak and WSO2 clients pointed at the cluster. */
async function configureAt(ctx: CommandContext, endpoints: ClusterEndpoints): Promise<void> {
  const scoped = await withEndpoints(ctx, endpoints);
  const [{ configureSteps }, topology, env, keycloak, wso2] = await Promise.all([
    import('../identity/configure-tasks.js'),
    scoped.topology(),
    scoped.dotenv(),
    scoped.client('keycloak'),
    scoped.client('wso2'),
  ]);
  const actions: Parameters<ReturnType<typeof configureSteps>[number]['run']>[0] = [];
  try {
    for (const step of configureSteps({ topology, env, keycloak, wso2, timeoutMs: 600_000, signal: ctx.signal })) {
      ctx.out.info(`  ${step.title}`);
      await step.run(actions, () => undefined);
    }
  } catch (error) {
    throw clusterFailure('configure-keycloak', endpoints.KEYCLOAK_URL, error);
  }
  const changed = actions.filter((action) => action.action !== 'unchanged').length;
  ctx.out.info(`  ${changed === 0 ? 'nothing to change' : `${changed} change(s) applied`}`);
}

/** publish-apis with the WSO2 client pointed at the cluster. */
async function publishAt(ctx: CommandContext, endpoints: ClusterEndpoints): Promise<void> {
  const scoped = await withEndpoints(ctx, endpoints);
  const file = join(ctx.root, 'wso2/api-config.yaml');
  const [{ loadApiConfig }, { createPublisher, describeFatalError }, env, client] = await Promise.all([
    import('../gateway/load-api-config.js'),
    import('../gateway/publisher.js'),
    scoped.dotenv(),
    scoped.client('wso2'),
  ]);
  const config = await loadApiConfig(file, 'wso2/api-config.yaml');
  const publisher = createPublisher({
    client,
    credentials: { user: env.WSO2_ADMIN_USER, password: env.WSO2_ADMIN_PASSWORD },
    gatewayUrl: env.WSO2_GATEWAY_URL,
    configDirectory: dirname(file),
    smokeClientSecret: env.SMOKE_CLIENT_SECRET,
    signal: ctx.signal,
    progress: (line) => ctx.out.info(`  ${line}`),
  });
  let result;
  try {
    result = await publisher.publishAll(config, {});
  } catch (error) {
    throw new UserError(describeFatalError(error, env.WSO2_URL), { cause: error });
  }
  if (result.failed) {
    const failures = [...result.apis.flatMap((api) => (api.error ? [api.error] : [])), ...(result.application?.error ? [result.application.error] : [])];
    throw new UserError([...failures, 'some APIs were not published on the cluster: fix the above, then rerun innover k8s deploy']);
  }
}
