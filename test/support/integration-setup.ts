/**
 * Global setup of the integration tier (vitest `globalSetup`, in vitest's own process).
 * The peers (test/support/peers.ts) run as containers without Ryuk, so this run owns their
 * cleanup: it marks itself as the owner of every peer its test workers start, removes at setup
 * the peer containers that a killed earlier run on this host left behind, and at teardown the
 * ones its own workers did not stop.
 */
import { peerOwnerVariable, removeLeftoverPeers, removePeersOwnedBy } from './peers.js';

export async function setup(): Promise<void> {
  process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
  // The workers inherit this environment: their peers carry vitest's pid, not their own.
  process.env[peerOwnerVariable] = String(process.pid);
  try {
    const removed = await removeLeftoverPeers();
    if (removed > 0) console.info(`[integration] removed ${removed} peer container(s) left behind by an earlier, killed run`);
  } catch {
    // No engine: the tests that need a peer fail with the one-line reason; the others still run.
  }
}

export async function teardown(): Promise<void> {
  try {
    await removePeersOwnedBy(process.pid);
  } catch {
    // No engine, so no containers either.
  }
}
