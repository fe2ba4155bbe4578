/** `host/path/name:tag` into the repository and the tag (`latest` when none; a digest is dropped). Pure. */
export function splitReference(reference: string): { repository: string; tag: string } {
  const withoutDigest = reference.split('@')[0] ?? reference;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash) return { repository: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
  return { repository: withoutDigest, tag: 'latest' };
}

/**
 * Where a third-party image lives under a mirror registry: its path and tag without its own
 * registry host (`docker.redpanda.com/redpandadata/redpanda:v24.3.6` → `redpandadata/redpanda:v24.3.6`).
 * `images push --all` pushes there, and the chart's `thirdPartyRegistry` reads from there. Pure.
 */
export function mirroredPath(reference: string): string {
  const { repository, tag } = splitReference(reference);
  const [first, ...rest] = repository.split('/');
  const hasHost = rest.length > 0 && first !== undefined && (first.includes('.') || first.includes(':') || first === 'localhost');
  return `${hasHost ? rest.join('/') : repository}:${tag}`;
}
