import { secretKeys } from '../../env/schema.js';
import type { StackPlan } from '../../plan/types.js';
import type { Topology } from '../../topology/schema.js';

/**
 * The names the Helm chart and the `k8s` commands share: `k8s render` writes them into the chart,
 * `k8s secrets`, `k8s deploy` and `k8s status` address the cluster by them. One module, so the two
 * sides cannot drift apart.
 */

/** The chart's name (Chart.yaml `name`). */
export const chartName = 'innover';

/** Where the default profile's chart is committed, relative to the project root. */
export const committedChartPath = 'deploy/helm/innover';

/**
 * Where a profile's chart is written: the default profile's is committed, any other profile's
 * goes under the git-ignored `.innover/` folder (as its compose file does).
 */
export function chartPath(topology: Pick<Topology, 'defaultProfile'>, profileName: string): string {
  return profileName === topology.defaultProfile ? committedChartPath : `.innover/helm/${profileName}`;
}

/** The release name `k8s deploy` installs by default. Resource names do not carry it: one release per namespace. */
export const defaultReleaseName = 'innover';

/** The Secret the chart reads `.env`'s secrets from, unless values name another (`secrets.existingSecret`). */
export const defaultSecretName = 'innover-secrets';

/** The values path that names an existing Secret instead of the default one. */
export const existingSecretValuesPath = 'secrets.existingSecret';

/**
 * The `.env` keys the Secret holds: every secret of the topology plus Keycloak's bootstrap admin
 * user name, which Keycloak reads from the same Secret; with a plan, also every secret its
 * components need and its workloads read (a new component's). Sorted, for stable output.
 */
export function secretKeyNames(topology: Topology, plan?: Pick<StackPlan, 'componentPlans' | 'workloads'>): string[] {
  const fromPlan = plan ? [...plan.componentPlans.flatMap((component) => component.secrets.map((secret) => secret.key)), ...plan.workloads.flatMap((workload) => workload.secrets)] : [];
  return [...new Set([...secretKeys(topology), 'KEYCLOAK_ADMIN_USER', ...fromPlan])].sort();
}

/** Keys that may be empty or absent in the Secret (the pods start without them). */
export const optionalSecretKeys: ReadonlySet<string> = new Set(['COCKROACH_LICENSE']);

/**
 * Labels on every object of the chart. `jobLabel` marks the init and bootstrap Jobs, whose names
 * carry the release revision (`<job>-r<revision>`: a Job's template is immutable, so each upgrade
 * runs a new one, and Helm deletes the previous revision's). Wait for them by `jobSelector`.
 */
export const partOfLabel = 'app.kubernetes.io/part-of';
export const nameLabel = 'app.kubernetes.io/name';
export const componentLabel = 'app.kubernetes.io/component';
export const jobLabel = 'innover.dev/job';
/** `kubectl get jobs -l <jobSelector>`: every init/bootstrap Job of the release's current revision and older. */
export const jobSelector = `${partOfLabel}=innover,${jobLabel}=true`;

/** The Job of `base` (e.g. `cockroach-bootstrap`) in release revision `revision`. */
export function jobName(base: string, revision: number): string {
  return `${base}-r${revision}`;
}

/**
 * The Jobs of a cockroach profile, in order (`cockroach-init` only with more than one node). A
 * postgres profile has none: the image's first-start script creates the databases.
 */
export const jobBaseNames = {
  cockroachInit: 'cockroach-init',
  cockroachBootstrap: 'cockroach-bootstrap',
} as const;
