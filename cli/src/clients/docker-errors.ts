import { UserError } from '../command.js';

/**
 * Where the engine is expected: DOCKER_HOST when set, else the default socket. Named in every
 * "not reachable" message so the user knows which engine innover tried.
 */
export function dockerEndpoint(env: Readonly<Record<string, string | undefined>>): string {
  const host = env['DOCKER_HOST'];
  if (!host) return '/var/run/docker.sock';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : host;
}

/** The one line every command prints when the engine does not answer. */
export function dockerUnreachable(endpoint: string): UserError {
  return new UserError(
    `Docker is not reachable at ${endpoint}: start the Docker engine (e.g. sudo systemctl start docker) or set DOCKER_HOST`,
  );
}

const connectionCodes = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT']);

/** True when an error means "no engine answered" rather than "the engine said no". */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && connectionCodes.has(code)) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /connect (ENOENT|ECONNREFUSED|EACCES)|Cannot connect to the Docker daemon|Is the docker daemon running/i.test(message);
}

/** Docker denies access to the socket: a different fix than a stopped engine. */
export function isPermissionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code === 'EACCES' || /permission denied/i.test(message);
}

export function dockerPermissionDenied(endpoint: string): UserError {
  return new UserError(
    `permission denied on ${endpoint}: add your user to the docker group (sudo usermod -aG docker $USER, then log in again)`,
  );
}
