/**
 * Real peers for integration tests and benchmarks: each starts a real process (or in-process server)
 * on a free 127.0.0.1 port in a temp dir and returns its address plus `stop()`.
 *
 * Written with erasable TypeScript only so plain Node (type stripping) can import it from bench scripts.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KoaContextWithOIDC } from 'oidc-provider';

/** A free TCP port on 127.0.0.1 (tiny race window between close and the peer binding it). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function requireBinary(path: string, aptPackage: string): string {
  const found = path.startsWith('/') ? (existsSync(path) ? path : undefined) : whichBinary(path);
  if (!found) throw new Error(`${path} not found: apt-get install ${aptPackage}`);
  return found;
}

function whichBinary(name: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = result.stdout.trim();
  return result.status === 0 && path ? path : undefined;
}

/** Resolves when `predicate` sees matching output, rejects when the process exits or time runs out. */
function waitForOutput(child: ChildProcess, predicate: (text: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => finish(new Error(`${what} did not start within ${timeoutMs} ms:\n${seen.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (predicate(seen)) finish(undefined, seen);
    };
    const onExit = (code: number | null): void => finish(new Error(`${what} exited with ${code} before it was ready:\n${seen.slice(-2000)}`));
    function finish(error?: Error, text?: string): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(text ?? '');
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** A running redis-server. `stop()` then `start()` brings it back on the same port (readiness tests). */
export interface RedisPeer {
  url: string;
  host: string;
  port: number;
  password: string | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(options: { password?: string } = {}): Promise<RedisPeer> {
  const binary = requireBinary('redis-server', 'redis-server');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'innover-redis-'));
  const password = options.password;
  let child: ChildProcess | undefined;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  if (password) args.push('--requirepass', password);
  const peer: RedisPeer = {
    url: password ? `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}/0` : `redis://127.0.0.1:${port}/0`,
    host: '127.0.0.1',
    port,
    password,
    async start() {
      child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      await waitForOutput(child, (text) => text.includes('Ready to accept connections'), 'redis-server');
      child.stdout?.resume();
      child.stderr?.resume();
    },
    async stop() {
      await stopChild(child);
      child = undefined;
    },
  };
  await peer.start();
  process.once('exit', () => child?.kill('SIGKILL'));
  return peer;
}

/** A running PostgreSQL cluster owned by the unprivileged `postgres` user (PostgreSQL refuses to run as root). */
export interface PostgresPeer {
  /** Superuser URL to the `postgres` database. */
  url: string;
  port: number;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((entry) => existsSync(join(root, entry, 'bin', 'postgres'))) : [];
  versions.sort((left, right) => Number(right) - Number(left));
  const newest = versions[0];
  if (!newest) throw new Error('postgres not found in /usr/lib/postgresql/*/bin: apt-get install postgresql');
  return join(root, newest, 'bin');
}

export async function startPostgres(): Promise<PostgresPeer> {
  const bin = postgresBinDir();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'innover-postgres-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  // Run as the Debian `postgres` user when we are root; as ourselves otherwise.
  const wrap = (command: string, args: string[]): [string, string[]] =>
    asRoot ? [requireBinary('runuser', 'util-linux'), ['-u', 'postgres', '--', command, ...args]] : [command, args];
  if (asRoot) chownSync(dir, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()), Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()));
  const [initCommand, initArgs] = wrap(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const init = spawnSync(initCommand, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const [command, args] = wrap(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  process.once('exit', () => child.kill('SIGKILL'));
  await waitForOutput(child, (text) => text.includes('ready to accept connections'), 'postgres');
  child.stdout?.resume();
  child.stderr?.resume();
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    async createDatabase(name: string) {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replaceAll('"', '')}"`);
      } finally {
        await client.end();
      }
      return `postgresql://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      // SIGINT is PostgreSQL's "fast shutdown".
      await stopChild(child, 'SIGINT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Kafka-protocol broker: librdkafka's mock cluster, hosted by a kcat process. */
export interface KafkaPeer {
  brokers: string[];
  stop(): Promise<void>;
}

export async function startKafkaMock(): Promise<KafkaPeer> {
  const binary = requireBinary('kcat', 'kcat');
  const child = spawn(binary, ['-b', '127.0.0.1:1', '-C', '-t', 'innover-mock-keepalive', '-X', 'test.mock.num.brokers=1', '-d', 'mock'], { stdio: ['ignore', 'pipe', 'pipe'] });
  process.once('exit', () => child.kill('SIGKILL'));
  const text = await waitForOutput(child, (seen) => /bootstrap\.servers=\S+/.test(seen), 'kcat mock cluster');
  // The mock logs every request with -d mock; keep draining so the pipe never fills and stalls it.
  child.stdout?.resume();
  child.stderr?.resume();
  const bootstrap = /bootstrap\.servers=(\S+)/.exec(text)?.[1] ?? '';
  return { brokers: bootstrap.split(','), stop: () => stopChild(child) };
}

function scopeValues(scope: string, prefix: string): string[] {
  return scope.split(' ').filter((value) => value.startsWith(prefix)).map((value) => value.slice(prefix.length));
}

/** An OIDC issuer (oidc-provider) that hands out JWT access tokens shaped like Keycloak's. */
export interface OidcPeer {
  issuer: string;
  jwksUrl: string;
  /** A client_credentials access token carrying `aud` and `realm_access.roles`. */
  token(options?: { roles?: string[]; audience?: string }): Promise<string>;
  stop(): Promise<void>;
}

export async function startOidcIssuer(options: { audience?: string; roles?: string[] } = {}): Promise<OidcPeer> {
  let Provider: typeof import('oidc-provider').default;
  try {
    ({ default: Provider } = await import('oidc-provider'));
  } catch {
    throw new Error('oidc-provider not found: npm install -D oidc-provider');
  }
  const { generateKeyPair, exportJWK } = await import('jose');
  const defaultAudience = options.audience ?? 'innover-api';
  const defaultRoles = options.roles ?? [];
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = 'innover-test';
  const clientSecret = 'innover-test-secret';
  const resource = 'urn:innover:api';
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] }],
    jwks: { keys: [jwk] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        // The token request carries the wanted roles and audience as `role:<name>` and `aud:<name>` scopes
        // (the token endpoint accepts no custom parameters); the resource server grants exactly those.
        getResourceServerInfo: (ctx: KoaContextWithOIDC) => ({
          scope: String(ctx.oidc.params?.['scope'] ?? 'api'),
          audience: scopeValues(String(ctx.oidc.params?.['scope'] ?? ''), 'aud:')[0] ?? defaultAudience,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    ttl: { ClientCredentials: 600 },
    extraTokenClaims: (ctx: KoaContextWithOIDC) => {
      const scope = String(ctx.oidc.params?.['scope'] ?? '');
      return { realm_access: { roles: scope.includes('roles') ? scopeValues(scope, 'role:') : defaultRoles } };
    },
  });
  const server = provider.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { jwks_uri: string; token_endpoint: string };
  return {
    issuer,
    jwksUrl: discovery.jwks_uri,
    async token(request = {}) {
      const scope = ['api', 'roles', ...(request.roles ?? defaultRoles).map((role) => `role:${role}`), `aud:${request.audience ?? defaultAudience}`];
      const body = new URLSearchParams({ grant_type: 'client_credentials', resource, scope: scope.join(' ') });
      const response = await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      const json = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!json.access_token) throw new Error(`oidc-provider refused a token: ${json.error} ${json.error_description ?? ''}`);
      return json.access_token;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
