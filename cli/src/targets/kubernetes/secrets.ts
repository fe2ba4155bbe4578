import { stringify } from 'yaml';
import { UserError } from '../../command.js';
import type { KubeTarget, KubernetesClient } from '../../clients/kubernetes-client.js';
import type { EnvConfig } from '../../env/schema.js';

/** A v1 Secret as `k8s secrets` applies it. */
export interface SecretManifest {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  type: 'Opaque';
  /** base64 of each `.env` value, by `.env` key. */
  data: Record<string, string>;
}

/** What every value of a masked manifest reads. */
export const maskedValue = '********';

/**
 * The Secret of the `.env` values under `keys` (pure). A key `.env` leaves out (the optional
 * COCKROACH_LICENSE) gets an empty value, so the chart's references to it resolve.
 */
export function secretManifest(name: string, namespace: string, env: EnvConfig, keys: readonly string[]): SecretManifest {
  const values = env as Readonly<Record<string, string | undefined>>;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'innover', 'app.kubernetes.io/part-of': 'innover' } },
    type: 'Opaque',
    data: Object.fromEntries(keys.map((key) => [key, Buffer.from(values[key] ?? '', 'utf8').toString('base64')])),
  };
}

/** The same manifest with every value replaced by {@link maskedValue}: what `--dry-run` prints. */
export function maskManifest(manifest: SecretManifest): SecretManifest {
  return { ...manifest, data: Object.fromEntries(Object.keys(manifest.data).map((key) => [key, maskedValue])) };
}

/** YAML of a (masked) manifest. */
export function manifestYaml(manifest: SecretManifest): string {
  return stringify(manifest, { lineWidth: 0 });
}

export interface ApplySecretInput {
  /** Not needed (and not asked for) on a dry run. */
  kube: KubernetesClient | undefined;
  target: KubeTarget;
  name: string;
  env: EnvConfig;
  keys: readonly string[];
  dryRun: boolean;
  progress: (line: string) => void;
}

/** `k8s secrets` data, also its `--json` output. Never holds a value. */
export interface SecretResult {
  name: string;
  namespace: string;
  context?: string;
  keys: string[];
  dryRun: boolean;
  /** The masked manifest (YAML), on a dry run. */
  manifest?: string;
  namespaceCreated: boolean;
  /** kubectl's summary, e.g. `secret/innover-env serverside-applied`. */
  applied?: string;
}

/**
 * Creates or updates the Secret from `.env` with a server-side apply (the manifest on stdin). A
 * dry run contacts nothing and returns the masked manifest. The namespace is created when missing,
 * since the Secret has to exist before `k8s deploy` starts the pods that read it.
 */
export async function applySecret(input: ApplySecretInput): Promise<SecretResult> {
  const manifest = secretManifest(input.name, input.target.namespace, input.env, input.keys);
  const base = {
    name: input.name,
    namespace: input.target.namespace,
    ...(input.target.context ? { context: input.target.context } : {}),
    keys: [...input.keys],
  };
  if (input.dryRun) return { ...base, dryRun: true, manifest: manifestYaml(maskManifest(manifest)), namespaceCreated: false };
  const kube = input.kube;
  if (!kube) throw new Error('applySecret needs a Kubernetes client unless it is a dry run');
  const values = input.keys.map((key) => (input.env as Readonly<Record<string, string | undefined>>)[key] ?? '');
  try {
    let namespaceCreated = false;
    if (!(await kube.exists(input.target, 'namespace', input.target.namespace))) {
      input.progress(`creating namespace ${input.target.namespace}`);
      await kube.createNamespace(input.target);
      namespaceCreated = true;
    }
    input.progress(`applying Secret ${input.name} (${input.keys.length} keys) in namespace ${input.target.namespace}`);
    const applied = await kube.apply(input.target, manifest);
    return { ...base, dryRun: false, namespaceCreated, applied };
  } catch (error) {
    throw scrubbed(error, values);
  }
}

/**
 * A failure with every secret value (and its base64) cut out: kubectl may quote the object it
 * refused, and nothing of `.env` may reach the terminal.
 */
export function scrubbed(error: unknown, values: readonly string[]): unknown {
  const secrets = values.filter((value) => value.length >= 4).flatMap((value) => [value, Buffer.from(value, 'utf8').toString('base64')]);
  const scrub = (text: string) => secrets.reduce((result, secret) => result.split(secret).join(maskedValue), text);
  if (error instanceof UserError) return new UserError(error.problems.map(scrub), { exitCode: error.exitCode });
  if (error instanceof Error) return new Error(scrub(error.message));
  return error;
}
