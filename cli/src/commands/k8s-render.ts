import type { CommandModule } from '../command.js';
import { checkChart, planChart, writeChart } from '../targets/kubernetes/render-chart.js';

interface K8sRenderArgs {
  profile?: string;
  out?: string;
  check?: boolean;
}

export interface K8sRenderResult {
  profile: string;
  /** The chart's folder, relative to the project root (or as --out gave it). */
  directory: string;
  check: boolean;
  files: string[];
  written: string[];
  removed: string[];
  drifted: string[];
}

/** `innover k8s render`: the Helm chart of a profile (default: the topology's default profile). */
export const command: CommandModule<K8sRenderArgs, K8sRenderResult> = {
  async handler(args, ctx) {
    const topology = await ctx.topology();
    const plan = planChart(topology, args.profile ?? topology.defaultProfile, args.out);
    const base = { profile: plan.profile, directory: plan.directory, files: plan.files.map((file) => file.path) };
    if (args.check) {
      const { drifted } = await checkChart(ctx.root, plan);
      return { ...base, check: true, written: [], removed: [], drifted };
    }
    const { written, removed } = await writeChart(ctx.root, plan);
    return { ...base, check: false, written, removed, drifted: [] };
  },
  render(result) {
    if (result.check) {
      if (!result.drifted.length) return `${result.directory}: ${result.files.length} chart files match the topology (profile ${result.profile})`;
      return [
        ...result.drifted.map((path) => `drifted: ${result.directory}/${path}`),
        `${result.drifted.length} chart file${result.drifted.length > 1 ? 's differ' : ' differs'} from the topology: run innover k8s render${result.profile ? ` --profile ${result.profile}` : ''}`,
      ].join('\n');
    }
    return [
      ...result.written.map((path) => `wrote ${result.directory}/${path}`),
      ...result.removed.map((path) => `removed ${result.directory}/${path}`),
      `${result.directory}: ${result.written.length} written, ${result.removed.length} removed, ${result.files.length - result.written.length} unchanged (profile ${result.profile})`,
    ].join('\n');
  },
  exitCode: (result) => (result.drifted.length ? 1 : 0),
};
