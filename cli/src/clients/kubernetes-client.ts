import type { CommandContext } from '../command.js';
import { UserError } from '../command.js';

/** Where a call goes: an optional kubeconfig context (`--context`) and a namespace. */
export interface KubeTarget {
  /** The kubeconfig context; the current one when left out. */
  context?: string;
  namespace: string;
}

/** `helm upgrade --install` of one release from a chart on disk. */
export interface HelmRelease {
  name: string;
  /** Path of the chart folder. */
  chart: string;
  /** `-f` files, in order (later ones win). */
  valuesFiles: readonly string[];
  timeoutSeconds: number;
}

/** Streaming and cancellation for the long-running calls. */
export interface KubeCallOptions {
  /** Each line the tool prints (stdout and stderr merged, in order). */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

/** The parts of a Kubernetes object innover reads; the rest is there but untyped. */
export interface KubeObject {
  apiVersion?: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    creationTimestamp?: string;
    ownerReferences?: Array<{ kind: string; name: string }>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** A running `kubectl port-forward`: the local port of each forwarded remote port. */
export interface PortForward {
  /** remote port → local port on 127.0.0.1. */
  readonly ports: ReadonlyMap<number, number>;
  /** Stops the forward; resolves once kubectl has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Helm and kubectl through execa, with argument arrays only (never a shell string). Manifests go
 * on stdin, never in an argument, so no value shows in `ps`. Each method throws a one-line
 * UserError when the tool fails.
 */
export interface KubernetesClient {
  /** `helm upgrade --install <release> <chart> --namespace N --create-namespace --wait --timeout Ns`. */
  upgradeInstall(target: KubeTarget, release: HelmRelease, options?: KubeCallOptions): Promise<void>;
  /** `helm get values <release> --all -o json`: the values the release runs with (defaults included). */
  releaseValues(target: KubeTarget, release: string): Promise<Record<string, unknown>>;
  /** `kubectl apply --server-side -f -` with the object as JSON on stdin; resolves to kubectl's summary line. */
  apply(target: KubeTarget, manifest: object): Promise<string>;
  /** `kubectl get <kind> <name> --ignore-not-found -o name`: whether it exists (prints no data). */
  exists(target: KubeTarget, kind: string, name: string): Promise<boolean>;
  /** `kubectl create namespace N`. */
  createNamespace(target: KubeTarget): Promise<void>;
  /** `kubectl get <kinds> -l <selector> -o json`: the items. Never used for Secrets (their data would be read). */
  list(target: KubeTarget, kinds: readonly string[], selector: string): Promise<KubeObject[]>;
  /** `kubectl port-forward <resource> :<port>...` on 127.0.0.1; resolves once every port forwards. */
  portForward(target: KubeTarget, resource: string, ports: readonly number[], options?: KubeCallOptions): Promise<PortForward>;
}

/** The global arguments of each tool that pin a call to one context and namespace. */
function kubectlTarget(target: KubeTarget): string[] {
  return [...(target.context ? ['--context', target.context] : []), '--namespace', target.namespace];
}
function helmTarget(target: KubeTarget): string[] {
  return [...(target.context ? ['--kube-context', target.context] : []), '--namespace', target.namespace];
}

/** The field manager of innover's server-side applies (shown in `managedFields`). */
export const fieldManager = 'innover';

/** The arguments of each call, pure, so tests can check them without a cluster. */
export const kubernetesArguments = {
  upgradeInstall(target: KubeTarget, release: HelmRelease): string[] {
    return [
      'upgrade',
      '--install',
      release.name,
      release.chart,
      ...helmTarget(target),
      '--create-namespace',
      // Bare --wait: Helm 3's boolean, Helm 4's `watcher` strategy.
      '--wait',
      '--timeout',
      `${release.timeoutSeconds}s`,
      ...release.valuesFiles.flatMap((file) => ['--values', file]),
    ];
  },
  releaseValues(target: KubeTarget, release: string): string[] {
    return ['get', 'values', release, ...helmTarget(target), '--all', '--output', 'json'];
  },
  apply(target: KubeTarget): string[] {
    return ['apply', ...kubectlTarget(target), '--server-side', '--field-manager', fieldManager, '--force-conflicts', '--filename', '-'];
  },
  exists(target: KubeTarget, kind: string, name: string): string[] {
    return ['get', kind, name, ...kubectlTarget(target), '--ignore-not-found', '--output', 'name'];
  },
  createNamespace(target: KubeTarget): string[] {
    return ['create', 'namespace', target.namespace, ...(target.context ? ['--context', target.context] : [])];
  },
  list(target: KubeTarget, kinds: readonly string[], selector: string): string[] {
    return ['get', kinds.join(','), ...kubectlTarget(target), '--selector', selector, '--output', 'json'];
  },
  portForward(target: KubeTarget, resource: string, ports: readonly number[]): string[] {
    return ['port-forward', ...kubectlTarget(target), '--address', '127.0.0.1', resource, ...ports.map((port) => `:${port}`)];
  },
};

/** One finished process. */
export interface ProcessResult {
  exitCode: number;
  /** stdout alone (JSON answers). */
  stdout: string;
  /** stdout and stderr merged, for the failure reason. */
  output: string;
  spawnError?: string;
}

/** A long-running process (port-forward): its lines, and a way to stop it. */
export interface SpawnedProcess {
  /** Resolves when the process exits, however it ends. */
  readonly exited: Promise<ProcessResult>;
  stop(): void;
}

/** Runs and spawns processes; the seam the real client and its tests share. */
export interface KubeProcessRunner {
  run(file: string, args: readonly string[], options: KubeCallOptions & { input?: string }): Promise<ProcessResult>;
  spawn(file: string, args: readonly string[], onLine: (line: string) => void): SpawnedProcess;
}

/** Splits a stream into lines, calling `onLine` for each complete one and the rest at the end. */
function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let partial = '';
  return {
    push(chunk) {
      const parts = (partial + chunk.toString('utf8')).split(/\r?\n/);
      partial = parts.pop() ?? '';
      for (const line of parts) onLine(line);
    },
    end() {
      if (partial) onLine(partial);
      partial = '';
    },
  };
}

/** The execa runner; `env` is the environment helm and kubectl see (PATH, KUBECONFIG ...). */
export function execaKubeRunner(env: Readonly<Record<string, string | undefined>>): KubeProcessRunner {
  return {
    async run(file, args, options) {
      const { execa } = await import('execa');
      const subprocess = execa(file, args, {
        all: true,
        reject: false,
        env,
        extendEnv: false,
        ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
        ...(options.signal ? { cancelSignal: options.signal } : {}),
      });
      const lines: string[] = [];
      const splitter = lineSplitter((line) => {
        lines.push(line);
        if (lines.length > 400) lines.shift();
        options.onLine?.(line);
      });
      subprocess.all?.on('data', (chunk: Buffer) => splitter.push(chunk));
      subprocess.all?.on('end', () => splitter.end());
      const result = await subprocess;
      const spawnError = (result as { code?: string }).code;
      return {
        exitCode: result.exitCode ?? (result.isCanceled ? 130 : 1),
        stdout: typeof result.stdout === 'string' ? result.stdout : '',
        output: lines.join('\n'),
        ...(typeof spawnError === 'string' && !result.exitCode ? { spawnError } : {}),
      };
    },
    spawn(file, args, onLine) {
      const controller = new AbortController();
      const exited = import('execa').then(async ({ execa }) => {
        const subprocess = execa(file, args, { all: true, reject: false, env, extendEnv: false, stdin: 'ignore', cancelSignal: controller.signal, forceKillAfterDelay: 2000 });
        const lines: string[] = [];
        const splitter = lineSplitter((line) => {
          lines.push(line);
          if (lines.length > 100) lines.shift();
          onLine(line);
        });
        subprocess.all?.on('data', (chunk: Buffer) => splitter.push(chunk));
        subprocess.all?.on('end', () => splitter.end());
        const result = await subprocess;
        const spawnError = (result as { code?: string }).code;
        return {
          exitCode: result.exitCode ?? (result.isCanceled ? 0 : 1),
          stdout: '',
          output: lines.join('\n'),
          ...(typeof spawnError === 'string' && !result.exitCode ? { spawnError } : {}),
        };
      });
      return { exited, stop: () => controller.abort() };
    },
  };
}

/** The line of helm or kubectl output that best explains a failure. */
export function kubeFailureReason(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const errorLine = [...lines].reverse().find((line) => /error|failed|forbidden|denied|not found|refused|unable|timed out/i.test(line));
  return errorLine ?? lines[lines.length - 1] ?? 'no output';
}

const install = {
  helm: 'install Helm 3.8+ or 4 (https://helm.sh/docs/intro/install/) and put helm on PATH',
  kubectl: 'install kubectl (https://kubernetes.io/docs/tasks/tools/) and put kubectl on PATH',
} as const;

/** `kubectl port-forward`'s line for one port: `Forwarding from 127.0.0.1:43121 -> 8080`. */
const forwardingLine = /^Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/;

/** The real client over a process runner (execa by default). */
export function kubernetesClientOver(runner: KubeProcessRunner): KubernetesClient {
  const call = async (tool: 'helm' | 'kubectl', what: string, args: string[], options: KubeCallOptions & { input?: string } = {}): Promise<ProcessResult> => {
    const result = await runner.run(tool, args, options);
    if (result.spawnError === 'ENOENT') throw new UserError(`${tool} is not installed: ${install[tool]}`);
    if (result.exitCode === 0) return result;
    if (options.signal?.aborted) throw new UserError(`${tool} ${what} was interrupted`, { exitCode: 130 });
    throw new UserError(`${tool} ${what} failed (exit ${result.exitCode}): ${kubeFailureReason(result.output)}`);
  };
  const parseJson = (tool: string, what: string, text: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new UserError(`${tool} ${what} did not answer JSON: check that ${tool} is the real ${tool} (${text.slice(0, 80)})`);
    }
  };
  return {
    async upgradeInstall(target, release, options = {}) {
      await call('helm', `upgrade --install ${release.name}`, kubernetesArguments.upgradeInstall(target, release), options);
    },
    async releaseValues(target, release) {
      const result = await call('helm', `get values ${release}`, kubernetesArguments.releaseValues(target, release));
      const values = parseJson('helm', 'get values', result.stdout.trim() || '{}');
      return values && typeof values === 'object' ? (values as Record<string, unknown>) : {};
    },
    async apply(target, manifest) {
      const result = await call('kubectl', 'apply', kubernetesArguments.apply(target), { input: JSON.stringify(manifest) });
      return result.stdout.trim();
    },
    async exists(target, kind, name) {
      const result = await call('kubectl', `get ${kind} ${name}`, kubernetesArguments.exists(target, kind, name));
      return result.stdout.trim() !== '';
    },
    async createNamespace(target) {
      await call('kubectl', `create namespace ${target.namespace}`, kubernetesArguments.createNamespace(target));
    },
    async list(target, kinds, selector) {
      if (kinds.some((kind) => /^secrets?$/i.test(kind))) throw new Error('listing Secrets would read their values');
      const result = await call('kubectl', `get ${kinds.join(',')}`, kubernetesArguments.list(target, kinds, selector));
      const answer = parseJson('kubectl', 'get', result.stdout) as { items?: KubeObject[] };
      return answer.items ?? [];
    },
    portForward(target, resource, ports, options = {}) {
      const local = new Map<number, number>();
      return new Promise<PortForward>((resolve, reject) => {
        let settled = false;
        const forward = runner.spawn('kubectl', kubernetesArguments.portForward(target, resource, ports), (line) => {
          options.onLine?.(line);
          const match = forwardingLine.exec(line.trim());
          if (!match) return;
          local.set(Number(match[2]), Number(match[1]));
          if (!settled && ports.every((port) => local.has(port))) {
            settled = true;
            resolve({
              ports: local,
              stop: async () => {
                forward.stop();
                await forward.exited;
              },
            });
          }
        });
        const onAbort = () => forward.stop();
        options.signal?.addEventListener('abort', onAbort, { once: true });
        void forward.exited.then((result) => {
          options.signal?.removeEventListener('abort', onAbort);
          if (settled) return;
          settled = true;
          if (result.spawnError === 'ENOENT') reject(new UserError(`kubectl is not installed: ${install.kubectl}`));
          else reject(new UserError(`kubectl port-forward ${resource} failed (exit ${result.exitCode}): ${kubeFailureReason(result.output)}`));
        });
      });
    },
  };
}

/** The production client: helm and kubectl from PATH, through execa. */
export function createKubernetesClient(ctx: CommandContext): KubernetesClient {
  return kubernetesClientOver(execaKubeRunner(ctx.env));
}
