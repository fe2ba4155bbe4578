import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execaKubeRunner, kubernetesClientOver } from '../../src/clients/kubernetes-client.js';
import { scratchDirectory } from '../support/scratch.js';

/**
 * Stand-ins for helm and kubectl: a node script that appends its argv and stdin to $FAKE_KUBE_LOG
 * and answers like the tool would, so the real execa client runs end to end without a cluster.
 */
const fakeTool = `#!/usr/bin/env node
const { appendFileSync } = require('node:fs');
const tool = require('node:path').basename(process.argv[1]);
const args = process.argv.slice(2);
let stdin = '';
const done = () => {
  appendFileSync(process.env.FAKE_KUBE_LOG, JSON.stringify({ tool, args, stdin }) + '\\n');
  if (args[0] === 'port-forward') {
    for (const port of args.filter((arg) => arg.startsWith(':'))) console.log('Forwarding from 127.0.0.1:4' + port.slice(1) + ' -> ' + port.slice(1));
    setInterval(() => undefined, 1000);
    return;
  }
  if (tool === 'helm' && args[0] === 'get') console.log('{"ingress":{"enabled":true}}');
  else if (args[0] === 'apply') console.log('secret/innover-secrets serverside-applied');
  else if (args[0] === 'get' && args.includes('json')) console.log('{"items":[]}');
  else if (tool === 'helm') { console.error('Error: INSTALLATION FAILED: fake'); process.exit(1); }
};
if (args.includes('-')) { process.stdin.on('data', (chunk) => (stdin += chunk)); process.stdin.on('end', done); } else done();
`;

function fakeBin(): { env: Record<string, string>; log: () => Array<{ tool: string; args: string[]; stdin: string }> } {
  const bin = scratchDirectory('innover-fake-kube-');
  for (const tool of ['helm', 'kubectl']) {
    writeFileSync(join(bin, tool), fakeTool.replace('#!/usr/bin/env node', `#!${process.execPath}`));
    chmodSync(join(bin, tool), 0o755);
  }
  const logFile = join(bin, 'calls.jsonl');
  writeFileSync(logFile, '');
  return {
    env: { PATH: `${bin}:/usr/bin:/bin`, FAKE_KUBE_LOG: logFile },
    log: () => readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { tool: string; args: string[]; stdin: string }),
  };
}

describe('the Kubernetes client over execa (fake helm and kubectl on PATH)', () => {
  it('passes argument arrays as given, the manifest on stdin, and stops a port-forward', async () => {
    const { env, log } = fakeBin();
    const client = kubernetesClientOver(execaKubeRunner(env));
    const target = { namespace: 'shop; rm -rf /', context: 'kind $(whoami)' };
    const manifest = { kind: 'Secret', data: { REDIS_PASSWORD: 'c2VjcmV0LXZhbHVl' } };
    expect(await client.apply(target, manifest)).toBe('secret/innover-secrets serverside-applied');
    expect(await client.releaseValues(target, 'innover')).toEqual({ ingress: { enabled: true } });
    expect(await client.list(target, ['jobs'], 'app.kubernetes.io/instance=innover')).toEqual([]);
    const forward = await client.portForward(target, 'svc/keycloak', [8080, 9000]);
    expect([...forward.ports]).toEqual([[8080, 48080], [9000, 49000]]);
    await forward.stop();
    await expect(client.upgradeInstall(target, { name: 'innover', chart: '/repo/chart', valuesFiles: [], timeoutSeconds: 60 })).rejects.toThrow(
      'helm upgrade --install innover failed (exit 1): Error: INSTALLATION FAILED: fake',
    );
    const calls = log();
    expect(calls.map((call) => `${call.tool} ${call.args[0] ?? ''}`)).toEqual(['kubectl apply', 'helm get', 'kubectl get', 'kubectl port-forward', 'helm upgrade']);
    expect(calls[0]?.args).toEqual(['apply', '--context', 'kind $(whoami)', '--namespace', 'shop; rm -rf /', '--server-side', '--field-manager', 'innover', '--force-conflicts', '--filename', '-']);
    expect(JSON.parse(calls[0]?.stdin ?? '')).toEqual(manifest);
  });

  it('names what to install when kubectl is not on PATH', async () => {
    const client = kubernetesClientOver(execaKubeRunner({ PATH: scratchDirectory('innover-empty-') }));
    await expect(client.exists({ namespace: 'x' }, 'secret', 'y')).rejects.toThrow(/^kubectl is not installed: install kubectl/);
  });
});
