/**
 * Offline validation of rendered Kubernetes manifests against the OpenAPI schemas kubernetes-models
 * is generated from (Kubernetes 1.34: PodSpec has hostnameOverride). Two checks:
 *   schema   the model's own validate() (@kubernetes-models/validate): types, required fields,
 *            enums, formats. It does NOT reject unknown fields: the schemas set no
 *            additionalProperties, so `readinesProbe` passes it unnoticed.
 *   strict   every field of the manifest must be one its schema knows. The schema's compiled
 *            validator is run over a proxy of the manifest that records which fields it reads:
 *            a validator reads each property its schema declares, and iterates the keys of a
 *            map (labels, data, resources' limits); a field it neither reads nor iterates is
 *            unknown to the schema.
 */
type ValidateFunction = ((data: unknown) => boolean) & { errors?: unknown[] | null };

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string };
  [key: string]: unknown;
}

/** `apps/v1` + `Deployment` → `IoK8sApiAppsV1Deployment`; core `v1` → `IoK8sApiCoreV1…`. */
function schemaName(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['core', apiVersion];
  const groupName = group.split('.')[0]!;
  const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
  return `IoK8sApi${capital(groupName)}${capital(version)}${kind}`;
}

async function modelOf(manifest: Manifest): Promise<{ validate(): void }> {
  const module = (await import(/* @vite-ignore */ `kubernetes-models/${manifest.apiVersion}/${manifest.kind}`)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = module[manifest.kind];
  if (!Model) throw new Error(`kubernetes-models has no ${manifest.apiVersion} ${manifest.kind}`);
  return new Model(manifest);
}

async function schemaValidator(manifest: Manifest): Promise<ValidateFunction> {
  const module = (await import(/* @vite-ignore */ `kubernetes-models/_schemas/${schemaName(manifest.apiVersion, manifest.kind)}`)) as { validate: ValidateFunction };
  return module.validate;
}

/** The fields of `value` the validator never looked at, as paths (only the outermost of each unknown subtree). */
export async function unknownFields(manifest: Manifest): Promise<string[]> {
  const validate = await schemaValidator(manifest);
  const checks: (() => string[])[] = [];
  const track = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((item, index) => track(item, `${path}[${index}]`));
    const source = value as Record<string, unknown>;
    const keys = Object.keys(source);
    const read = new Set<string>();
    let iterated = false;
    const copy = Object.fromEntries(keys.map((key) => [key, track(source[key], `${path}.${key}`)]));
    checks.push(() => (iterated ? [] : keys.filter((key) => !read.has(key)).map((key) => `${path}.${key}`)));
    return new Proxy(copy, {
      get(target, key, receiver) {
        if (typeof key === 'string') read.add(key);
        return Reflect.get(target, key, receiver) as unknown;
      },
      ownKeys(target) {
        iterated = true;
        return Reflect.ownKeys(target);
      },
    });
  };
  validate(track(manifest, ''));
  const unknown = checks.flatMap((check) => check()).sort();
  return unknown.filter((path) => !unknown.some((outer) => outer !== path && (path.startsWith(`${outer}.`) || path.startsWith(`${outer}[`))));
}

export interface ValidationProblem {
  manifest: string;
  problem: string;
}

/** Both checks over every manifest: the problems found, empty when all pass. */
export async function validateManifests(manifests: readonly Manifest[]): Promise<ValidationProblem[]> {
  const problems: ValidationProblem[] = [];
  for (const manifest of manifests) {
    const label = `${manifest.kind}/${manifest.metadata?.name ?? '?'}`;
    try {
      (await modelOf(manifest)).validate();
    } catch (error) {
      problems.push({ manifest: label, problem: `schema: ${(error as Error).message}` });
    }
    for (const path of await unknownFields(manifest)) problems.push({ manifest: label, problem: `strict: unknown field ${path}` });
  }
  return problems;
}
