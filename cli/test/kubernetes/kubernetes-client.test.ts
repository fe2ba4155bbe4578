import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/command.js';
import { kubeFailureReason, kubernetesArguments, kubernetesClientOver, type KubeProcessRunner, type ProcessResult } from '../../src/clients/kubernetes-client.js';

const target = { namespace: 'shop', context: 'kind-innover' };
const release = { name: 'innover', chart: '/repo/deploy/helm/innover', valuesFiles: ['/repo/prod.yaml'], timeoutSeconds: 900 };

describe('helm and kubectl arguments (argument arrays, never a shell string)', () => {
  it('pins helm to the kube context and namespace, creating the namespace and waiting', () => {
    expect(kubernetesArguments.upgradeInstall(target, release)).toEqual([
      'upgrade', '--install', 'innover', '/repo/deploy/helm/innover',
      '--kube-context', 'kind-innover', '--namespace', 'shop',
      '--create-namespace', '--wait', '--timeout', '900s',
      '--values', '/repo/prod.yaml',
    ]);
    expect(kubernetesArguments.upgradeInstall({ namespace: 'shop' }, { ...release, valuesFiles: [] })).not.toContain('--kube-context');
    expect(kubernetesArguments.releaseValues(target, 'innover')).toEqual(['get', 'values', 'innover', '--kube-context', 'kind-innover', '--namespace', 'shop', '--all', '--output', 'json']);
  });

  it('applies server-side from stdin, and lists by the release label', () => {
    expect(kubernetesArguments.apply(target)).toEqual(['apply', '--context', 'kind-innover', '--namespace', 'shop', '--server-side', '--field-manager', 'innover', '--force-conflicts', '--filename', '-']);
    expect(kubernetesArguments.list(target, ['pods', 'jobs'], 'app.kubernetes.io/instance=innover')).toEqual(['get', 'pods,jobs', '--context', 'kind-innover', '--namespace', 'shop', '--selector', 'app.kubernetes.io/instance=innover', '--output', 'json']);
    expect(kubernetesArguments.exists(target, 'secret', 'innover-secrets')).toEqual(['get', 'secret', 'innover-secrets', '--context', 'kind-innover', '--namespace', 'shop', '--ignore-not-found', '--output', 'name']);
    expect(kubernetesArguments.portForward(target, 'svc/keycloak', [8080, 9000])).toEqual(['port-forward', '--context', 'kind-innover', '--namespace', 'shop', '--address', '127.0.0.1', 'svc/keycloak', ':8080', ':9000']);
  });
});

/** A runner that answers each call from `answer` and records what it got. */
function recordingRunner(answer: (file: string, args: readonly string[]) => Partial<ProcessResult>, forwardLines: string[] = []) {
  const seen: Array<{ file: string; args: string[]; input?: string }> = [];
  let stopped = 0;
  const runner: KubeProcessRunner = {
    async run(file, args, options) {
      seen.push({ file, args: [...args], ...(options.input === undefined ? {} : { input: options.input }) });
      const result = { exitCode: 0, stdout: '', output: '', ...answer(file, args) };
      for (const line of result.output.split('\n')) if (line) options.onLine?.(line);
      return result;
    },
    spawn(file, args, onLine) {
      seen.push({ file, args: [...args] });
      let exit: (result: ProcessResult) => void = () => undefined;
      const exited = new Promise<ProcessResult>((resolve) => (exit = resolve));
      queueMicrotask(() => {
        for (const line of forwardLines) onLine(line);
        if (!forwardLines.some((line) => line.startsWith('Forwarding'))) exit({ exitCode: 1, stdout: '', output: forwardLines.join('\n') });
      });
      return { exited, stop: () => (stopped += 1, exit({ exitCode: 0, stdout: '', output: '' })) };
    },
  };
  return { runner, seen, stopped: () => stopped };
}

describe('the Kubernetes client', () => {
  it('sends the manifest as JSON on stdin, never in an argument', async () => {
    const { runner, seen } = recordingRunner(() => ({ stdout: 'secret/innover-secrets serverside-applied\n' }));
    const manifest = { kind: 'Secret', data: { REDIS_PASSWORD: Buffer.from('s3cret-value-123').toString('base64') } };
    expect(await kubernetesClientOver(runner).apply(target, manifest)).toBe('secret/innover-secrets serverside-applied');
    expect(seen[0]?.file).toBe('kubectl');
    expect(seen[0]?.input).toBe(JSON.stringify(manifest));
    expect(seen[0]?.args.join(' ')).not.toContain(manifest.data.REDIS_PASSWORD);
  });

  it('reads list answers and release values as JSON, and existence from -o name', async () => {
    const { runner } = recordingRunner((file, args) =>
      file === 'helm' ? { stdout: '{"ingress":{"enabled":false}}' } : args[1] === 'secret' ? { stdout: '' } : { stdout: '{"items":[{"kind":"Job","metadata":{"name":"init"}}]}' },
    );
    const client = kubernetesClientOver(runner);
    expect(await client.releaseValues(target, 'innover')).toEqual({ ingress: { enabled: false } });
    expect(await client.exists(target, 'secret', 'innover-secrets')).toBe(false);
    expect(await client.list(target, ['jobs'], 'x=y')).toEqual([{ kind: 'Job', metadata: { name: 'init' } }]);
    await expect(client.list(target, ['secrets'], 'x=y')).rejects.toThrow('would read their values');
  });

  it('says what to install when helm is missing, and why helm failed otherwise', async () => {
    const missing = kubernetesClientOver(recordingRunner(() => ({ exitCode: -2, spawnError: 'ENOENT' })).runner);
    await expect(missing.upgradeInstall(target, release)).rejects.toThrow(/^helm is not installed: install Helm/);
    const failing = kubernetesClientOver(recordingRunner(() => ({ exitCode: 1, output: 'Release "innover" does not exist. Installing it now.\nError: INSTALLATION FAILED: context deadline exceeded' })).runner);
    const error = (await failing.upgradeInstall(target, release).catch((caught: unknown) => caught)) as UserError;
    expect(error.problems).toEqual(['helm upgrade --install innover failed (exit 1): Error: INSTALLATION FAILED: context deadline exceeded']);
  });

  it('resolves a port-forward once every port forwards, with the local ports, and stops it', async () => {
    const lines = ['Forwarding from 127.0.0.1:41001 -> 8080', 'Forwarding from 127.0.0.1:41002 -> 9000'];
    const { runner, stopped } = recordingRunner(() => ({}), lines);
    const forward = await kubernetesClientOver(runner).portForward(target, 'svc/keycloak', [8080, 9000]);
    expect([...forward.ports]).toEqual([[8080, 41001], [9000, 41002]]);
    await forward.stop();
    expect(stopped()).toBe(1);
  });

  it('fails a port-forward that exits before forwarding, with kubectl\'s reason', async () => {
    const { runner } = recordingRunner(() => ({}), ['error: services "keycloak" not found']);
    await expect(kubernetesClientOver(runner).portForward(target, 'svc/keycloak', [8080])).rejects.toThrow('kubectl port-forward svc/keycloak failed (exit 1): error: services "keycloak" not found');
  });

  it('picks the line that explains a failure', () => {
    expect(kubeFailureReason('a\nError from server (Forbidden): secrets is forbidden\nb')).toBe('Error from server (Forbidden): secrets is forbidden');
  });
});
