import type { CommandModule } from '../command.js';
import { chartSecretKeys, defaultNamespace, defaultSecretName } from '../targets/kubernetes/chart-contract.js';
import { planStack } from '../plan/plan-stack.js';
import { applySecret, type SecretResult } from '../targets/kubernetes/secrets.js';

export interface K8sSecretsArgs {
  dryRun?: boolean;
  context?: string;
  namespace?: string;
}

/** `innover k8s secrets`: the chart's Secret from `.env`, by server-side apply; `--dry-run` prints it masked. */
export const command: CommandModule<K8sSecretsArgs, SecretResult> = {
  async handler(args, ctx) {
    const [topology, env] = await Promise.all([ctx.topology(), ctx.dotenv()]);
    const target = { namespace: args.namespace ?? defaultNamespace, ...(args.context ? { context: args.context } : {}) };
    const dryRun = args.dryRun === true;
    return await applySecret({
      // A dry run contacts nothing, so it needs no kubectl.
      kube: dryRun ? undefined : await ctx.client('kubernetes'),
      target,
      name: defaultSecretName,
      env,
      // The committed chart is the default profile's: its components' secrets too (a new module's included).
      keys: chartSecretKeys(topology, planStack(topology, topology.defaultProfile)),
      dryRun,
      progress: (line) => ctx.out.info(line),
    });
  },
  render(result) {
    if (result.dryRun) return `${(result.manifest ?? '').trimEnd()}\n# dry run: ${result.keys.length} keys, values masked; nothing applied`;
    return `Secret ${result.name} in namespace ${result.namespace}: ${result.applied ?? 'applied'} (${result.keys.length} keys${result.namespaceCreated ? ', namespace created' : ''})`;
  },
};
