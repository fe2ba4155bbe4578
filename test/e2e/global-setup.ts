/**
 * Global setup of the e2e tier: without a Docker engine (and Compose v2) the tier stops here, in
 * one line that says so and how to fix it, before any test file runs.
 */
import { checkEngine } from './engine-setup.js';

export async function setup(): Promise<void> {
  await checkEngine();
}
