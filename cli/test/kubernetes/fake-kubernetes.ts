import type { HelmRelease, KubeCallOptions, KubeObject, KubeTarget, KubernetesClient, PortForward } from '../../src/clients/kubernetes-client.js';

/** One call the fake saw, in order. */
export interface KubeCall {
  method: keyof KubernetesClient | 'stop';
  args: unknown[];
}

export interface FakeKubeScript {
  /** Whether `exists(kind, name)` finds it; default: yes. */
  exists?: (kind: string, name: string) => boolean;
  /** The Jobs there before the deploy: the answer to the first `list(['jobs'])`; default none. */
  jobsBefore?: KubeObject[];
  /** Answers to the later `list(['jobs'])` calls; the last one repeats. */
  jobs?: KubeObject[][];
  services?: KubeObject[];
  workloads?: KubeObject[];
  values?: Record<string, unknown>;
  /** Runs as helm; default: resolves at once. */
  upgradeInstall?: (target: KubeTarget, release: HelmRelease, options: KubeCallOptions) => Promise<void>;
  apply?: (target: KubeTarget, manifest: object) => Promise<string>;
}

/**
 * A Kubernetes client that records every call and answers from a script: the clusterless stand-in
 * the deploy, secrets and status tests run against.
 */
export function fakeKubernetes(script: FakeKubeScript = {}): KubernetesClient & { calls: KubeCall[]; names(): string[] } {
  const calls: KubeCall[] = [];
  let jobPolls = 0;
  let nextPort = 40_000;
  const record = (method: KubeCall['method'], ...args: unknown[]) => void calls.push({ method, args });
  return {
    calls,
    /** The sequence as short strings: `upgradeInstall`, `list jobs`, `portForward svc/keycloak` ... */
    names: () =>
      calls.map((call) => {
        if (call.method === 'list') return `list ${(call.args[1] as string[]).join(',')}`;
        if (call.method === 'portForward' || call.method === 'stop') return `${call.method} ${String(call.args[1] ?? call.args[0])}`;
        if (call.method === 'exists') return `exists ${String(call.args[1])} ${String(call.args[2])}`;
        return call.method;
      }),
    async upgradeInstall(target, release, options = {}) {
      record('upgradeInstall', target, release);
      await (script.upgradeInstall ?? (async () => undefined))(target, release, options);
    },
    async releaseValues(target, release) {
      record('releaseValues', target, release);
      return script.values ?? {};
    },
    async apply(target, manifest) {
      record('apply', target, manifest);
      return (script.apply ?? (async () => 'secret/innover-secrets serverside-applied'))(target, manifest);
    },
    async exists(target, kind, name) {
      record('exists', target, kind, name);
      return (script.exists ?? (() => true))(kind, name);
    },
    async createNamespace(target) {
      record('createNamespace', target);
    },
    async list(target, kinds, selector) {
      record('list', target, kinds, selector);
      if (kinds.length === 1 && kinds[0] === 'jobs') {
        const answers = [script.jobsBefore ?? [], ...(script.jobs ?? [[]])];
        const answer = answers[Math.min(jobPolls, answers.length - 1)] ?? [];
        jobPolls += 1;
        return answer;
      }
      if (kinds.length === 1 && kinds[0] === 'services') return script.services ?? [];
      return script.workloads ?? [];
    },
    async portForward(target, resource, ports) {
      record('portForward', target, resource, ports);
      const local = new Map(ports.map((port) => [port, (nextPort += 1)]));
      const forward: PortForward = {
        ports: local,
        stop: async () => record('stop', resource),
      };
      return forward;
    },
  };
}

/** A Job as `kubectl get jobs -o json` lists it. */
export function job(name: string, outcome: 'complete' | 'failed' | 'running', message = 'BackoffLimitExceeded'): KubeObject {
  const conditions =
    outcome === 'complete'
      ? [{ type: 'Complete', status: 'True' }]
      : outcome === 'failed'
        ? [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: `Job has reached the specified backoff limit (${message})` }]
        : [];
  return { kind: 'Job', metadata: { name }, spec: { backoffLimit: 6 }, status: { conditions } };
}

/** A Service of the release with one port. */
export function service(name: string, port: number): KubeObject {
  return { kind: 'Service', metadata: { name }, spec: { ports: [{ port }] } };
}
