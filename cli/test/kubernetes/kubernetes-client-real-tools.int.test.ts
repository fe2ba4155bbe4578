import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/command.js';
import { execaKubeRunner, kubernetesClientOver, type KubernetesClient } from '../../src/clients/kubernetes-client.js';
import { kubernetesTools } from '../../../test/support/kubernetes-tools.js';
import { scratchDirectory } from '../support/scratch.js';

const chart = fileURLToPath(new URL('../../../deploy/helm/innover', import.meta.url));

/**
 * The real helm 4 and kubectl 1.34 against a kubeconfig whose API server does not exist: every
 * call gets past its flag parsing (and helm past loading the chart and its values schema) and
 * fails only on the connection. That proves the argument arrays are ones these tools accept.
 */
let client: KubernetesClient;
/** helm's and kubectl's home, removed when the file ends. */
const home = scratchDirectory('innover-kube-home-');
beforeAll(async () => {
  const tools = await kubernetesTools();
  const bin = join(home, 'bin');
  mkdirSync(bin);
  symlinkSync(tools.helm, join(bin, 'helm'));
  symlinkSync(tools.kubectl, join(bin, 'kubectl'));
  const kubeconfig = join(home, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: nowhere, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: nobody, user: {token: test-only}}]',
      'contexts: [{name: nowhere, context: {cluster: nowhere, user: nobody}}]',
      'current-context: nowhere',
      '',
    ].join('\n'),
  );
  client = kubernetesClientOver(execaKubeRunner({ PATH: `${bin}:/usr/bin:/bin`, HOME: home, KUBECONFIG: kubeconfig }));
});

const target = { namespace: 'shop', context: 'nowhere' };
const flagProblem = /unknown (flag|shorthand|command)|invalid argument|flag needs an argument|requires at least|accepts .* arg/i;

async function failure(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UserError);
  const message = (error as UserError).problems.join('\n');
  expect(message).not.toMatch(flagProblem);
  expect((error as UserError).problems).toHaveLength(1);
  return message;
}

describe('helm and kubectl accept the client\'s arguments (real binaries, no cluster)', () => {
  it('helm upgrade --install loads the committed chart and fails only on the cluster', async () => {
    const message = await failure(client.upgradeInstall(target, { name: 'innover', chart, valuesFiles: [], timeoutSeconds: 5 }));
    expect(message).toMatch(/^helm upgrade --install innover failed \(exit 1\): .*(unreachable|refused|connect)/i);
  });

  it('helm get values fails only on the cluster', async () => {
    expect(await failure(client.releaseValues(target, 'innover'))).toMatch(/^helm get values innover failed .*(unreachable|refused|connect)/i);
  });

  it('kubectl apply, get, create and port-forward fail only on the cluster', async () => {
    expect(await failure(client.apply(target, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, data: {} }))).toMatch(/^kubectl apply failed .*(refused|connect)/i);
    expect(await failure(client.exists(target, 'secret', 'innover-secrets'))).toMatch(/refused|connect/i);
    expect(await failure(client.list(target, ['deployments', 'statefulsets', 'jobs', 'pods'], 'app.kubernetes.io/instance=innover'))).toMatch(/refused|connect/i);
    expect(await failure(client.createNamespace(target))).toMatch(/refused|connect/i);
    expect(await failure(client.portForward(target, 'svc/keycloak', [8080, 9000]))).toMatch(/^kubectl port-forward svc\/keycloak failed .*(refused|connect)/i);
  });
});
