import { readFile } from 'node:fs/promises';
import type { EngineClient } from '../clients/engine-client.js';
import { buildFingerprint } from './build-fingerprint.js';
import { readState, writeState } from './state.js';

/** Whether the images of the last build still match the build context, and its fingerprint now. */
export interface BuildCheck {
  /** Undefined when the context cannot be fingerprinted: then always build. */
  fingerprint: string | undefined;
  upToDate: boolean;
}

/**
 * `up` builds only when the build context (or the compose file) changed since the last build of
 * this project, or an image is gone or was replaced (`innover rebuild`, `nuke`, a manual build).
 * BuildKit would find everything cached anyway; skipping it saves the seconds it takes to say so.
 */
export async function checkBuild(
  root: string,
  project: string,
  composeFile: string,
  images: readonly string[],
  engine: EngineClient,
): Promise<BuildCheck> {
  const composeText = await readFile(composeFile, 'utf8').catch(() => '');
  const fingerprint = await buildFingerprint(root, `${composeText}\0${images.join(',')}`);
  if (!fingerprint) return { fingerprint, upToDate: false };
  const record = (await readState(root)).builds?.[project];
  if (!record || record.fingerprint !== fingerprint) return { fingerprint, upToDate: false };
  const ids = await engine.imageIds(images);
  const upToDate = images.every((image) => ids[image] !== undefined && ids[image] === record.images[image]);
  return { fingerprint, upToDate };
}

/** Remembers the fingerprint the images were built from, with their ids right after the build. */
export async function recordBuild(
  root: string,
  project: string,
  fingerprint: string | undefined,
  images: readonly string[],
  engine: EngineClient,
): Promise<void> {
  if (!fingerprint) return;
  const ids = await engine.imageIds(images);
  const known: Record<string, string> = {};
  for (const image of images) {
    const id = ids[image];
    if (id === undefined) return;
    known[image] = id;
  }
  const builds = { ...(await readState(root)).builds, [project]: { fingerprint, images: known } };
  await writeState(root, { builds });
}
