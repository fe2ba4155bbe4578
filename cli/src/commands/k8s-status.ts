import type { CommandModule } from '../command.js';
import { renderContainerRows } from '../use-cases/stack-status.js';
import { defaultNamespace, defaultRelease } from '../targets/kubernetes/chart-contract.js';
import { readClusterStatus, type ClusterStatus } from '../targets/kubernetes/cluster-status.js';

export interface K8sStatusArgs {
  context?: string;
  namespace?: string;
  release?: string;
}

/** `innover k8s status`: the `health` table from the cluster; exits 1 when a workload is not ready. */
export const command: CommandModule<K8sStatusArgs, ClusterStatus> = {
  async handler(args, ctx) {
    const target = { namespace: args.namespace ?? defaultNamespace, ...(args.context ? { context: args.context } : {}) };
    return await readClusterStatus(await ctx.client('kubernetes'), target, args.release ?? defaultRelease);
  },
  render(status) {
    if (status.containers.length === 0) {
      return `no workloads of release ${status.release} in namespace ${status.namespace}: run innover k8s deploy --namespace ${status.namespace}`;
    }
    return renderContainerRows(status.containers);
  },
  exitCode: (status) => (status.healthy ? 0 : 1),
};
