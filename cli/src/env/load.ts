import type { EnvConfig } from './schema.js';
import { UserError } from '../command.js';

/** Placeholder until the env loader lands. */
export async function loadEnvFile(_root: string): Promise<EnvConfig> {
  throw new UserError('reading .env is not built yet', { exitCode: 2 });
}
