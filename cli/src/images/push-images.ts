import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError, type CommandContext } from '../command.js';
import type { RegistryAuth } from '../clients/engine-client.js';
import { resolveStack } from '../use-cases/resolve-stack.js';
import { version } from '../version.js';
import { checkRegistry, checkTag, pushedReference, selectImages, type ProfileImage } from './image-set.js';
import { prepareImages } from './prepare-images.js';

/** Registry credentials come from the environment only; they are never printed or returned. */
export const registryUserVariable = 'INNOVER_REGISTRY_USERNAME';
export const registryPasswordVariable = 'INNOVER_REGISTRY_PASSWORD';

export interface PushInput {
  registry: string;
  /** Default: the CLI's version. The chart's default `image.tag` is `local` (what `up` builds); a values file names the pushed tag. */
  tag?: string;
  /** Third-party images too (what an air-gapped cluster also needs). */
  all: boolean;
  profile?: string;
  /** Only the images of these containers. */
  containers: readonly string[];
  /** Build the service images first (default), as `up` does. */
  build: boolean;
}

export interface PushedImage {
  kind: ProfileImage['kind'];
  /** The local reference pushed. */
  source: string;
  /** Where it went: `<registry>/innover/<service>:<tag>`, or the third-party path under the registry. */
  reference: string;
  /** The manifest digest the registry stored (`sha256:...`). */
  digest: string;
}

export interface PushResult {
  profile: string;
  registry: string;
  tag: string;
  images: PushedImage[];
}

/** What `docker login` writes to `~/.docker/config.json` (only the parts read here). */
interface DockerConfig {
  auths?: Record<string, { auth?: string }>;
}

/** The Docker CLI's config file: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
function dockerConfigPath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env['DOCKER_CONFIG']) return join(env['DOCKER_CONFIG'], 'config.json');
  const home = env['HOME'];
  return home ? join(home, '.docker', 'config.json') : undefined;
}

/** The login `docker login <host>` stored inline (`auths.<host>.auth`, base64 `user:password`); undefined otherwise. */
export function dockerLogin(config: DockerConfig, host: string): { username: string; password: string } | undefined {
  const auths = config.auths ?? {};
  const entry = [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`].map((key) => auths[key]).find((value) => value?.auth);
  if (!entry?.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The credentials for `registry`: INNOVER_REGISTRY_USERNAME and INNOVER_REGISTRY_PASSWORD (both
 * or neither), else what `docker login` stored inline for its host, else none (anonymous).
 */
export async function registryAuth(env: Readonly<Record<string, string | undefined>>, registry: string): Promise<RegistryAuth | undefined> {
  const serveraddress = registry.split('/')[0] ?? registry;
  const username = env[registryUserVariable];
  const password = env[registryPasswordVariable];
  if (username && password) return { username, password, serveraddress };
  if (username || password) {
    throw new UserError(`set both ${registryUserVariable} and ${registryPasswordVariable} for a registry that needs a login (or neither for an anonymous push)`);
  }
  const file = dockerConfigPath(env);
  const text = file ? await readFile(file, 'utf8').catch(() => undefined) : undefined;
  if (!text) return undefined;
  let config: DockerConfig;
  try {
    config = JSON.parse(text) as DockerConfig;
  } catch {
    return undefined;
  }
  const login = dockerLogin(config, serveraddress);
  return login ? { ...login, serveraddress } : undefined;
}

/** Removes anything secret from an engine message before it reaches the user. */
function withoutSecrets(text: string, auth: RegistryAuth | undefined): string {
  return auth ? text.split(auth.password).join('***') : text;
}

/**
 * Builds (unless told not to), tags and pushes the images of a profile: each service image as
 * `<registry>/innover/<service>:<tag>`, and with `all` the third-party images under their own path
 * and tag. One progress line per image and per layer done.
 */
export async function pushImages(ctx: CommandContext, input: PushInput): Promise<PushResult> {
  const registry = checkRegistry(input.registry);
  const tag = checkTag(input.tag ?? version);
  const auth = await registryAuth(ctx.env, registry);
  const target = await resolveStack(ctx, input.profile);
  const images = selectImages(target.plan, input.containers, input.all);
  const engine = await ctx.client('engine');
  await engine.ping();
  await prepareImages(ctx, target, images, { build: input.build, command: 'images push' });

  const pushed: PushedImage[] = [];
  for (const [index, image] of images.entries()) {
    const reference = pushedReference(registry, image, tag);
    const step = `[${index + 1}/${images.length}]`;
    ctx.out.info(`${step} ${image.source} -> ${reference}`);
    await engine.tagImage(image.source, reference);
    let layers = 0;
    try {
      const { digest } = await engine.pushImage(reference, {
        ...(auth ? { auth } : {}),
        onProgress: (progress) => {
          layers += 1;
          ctx.out.info(`${step} ${reference}: layer ${progress.layer} ${progress.status.toLowerCase()} (${layers} done)`);
        },
      });
      ctx.out.info(`${step} pushed ${reference}@${digest}`);
      pushed.push({ kind: image.kind, source: image.source, reference, digest });
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw pushFailure(reference, registry, withoutSecrets(error instanceof Error ? error.message : String(error), auth));
    }
  }
  return { profile: target.profile, registry, tag, images: pushed };
}

/** One line: what failed, the engine's reason, and the fix that reason points to. */
export function pushFailure(reference: string, registry: string, reason: string): UserError {
  const first = reason.split('\n')[0] ?? reason;
  const fix = /unauthorized|authentication required|denied/i.test(first)
    ? `set ${registryUserVariable} and ${registryPasswordVariable} to an account that may push to ${registry}`
    : /server gave HTTP response to HTTPS client|certificate|x509|tls/i.test(first)
      ? `give ${registry} a trusted TLS certificate, or list it in the engine's insecure-registries (daemon.json)`
      : `check that ${registry} runs and that the Docker engine reaches it`;
  return new UserError(`push of ${reference} failed (${first}): ${fix}`);
}
