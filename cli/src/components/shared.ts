import type { ProbePlan, Probe, SecretRef, SecurityPlan } from '../plan/types.js';

/** `256m` / `1g` → mebibytes. */
export function memoryMebibytes(size: string): number {
  const match = /^(\d+(?:\.\d+)?)([kmg])$/i.exec(size);
  if (!match) throw new Error(`not a memory size: ${size}`);
  const value = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  return unit === 'g' ? value * 1024 : unit === 'm' ? value : value / 1024;
}

/** A probe with its timing (seconds); the timeout is 5 s throughout the stack. */
export function probe(check: Probe, startPeriodSeconds: number, intervalSeconds = 10, failureThreshold = 6): ProbePlan {
  return { check, startPeriodSeconds, intervalSeconds, timeoutSeconds: 5, failureThreshold };
}

/** A shell line run by `sh -c` in the container. */
export function shellProbe(line: string): Probe {
  return { kind: 'exec', command: ['sh', '-c', line] };
}

/** A secret reference. */
export function secret(key: string, optional = false): SecretRef {
  return optional ? { secret: key, optional: true } : { secret: key };
}

/** The image's defaults: no hardening the target adds. */
export const imageDefaultSecurity: SecurityPlan = { readOnlyRootFilesystem: false, tmpfs: [], noNewPrivileges: false };

/**
 * A hardened workload: no privilege escalation, every capability dropped but `capabilities`, and
 * a read-only root filesystem with `tmpfs` scratch paths where the image allows it.
 */
export function hardened(options: {
  runAsUser?: number;
  rootReason?: string;
  capabilities?: readonly string[];
  readOnlyRootFilesystem?: boolean;
  tmpfs?: readonly string[];
}): SecurityPlan {
  return {
    ...(options.runAsUser === undefined ? {} : { runAsUser: options.runAsUser }),
    ...(options.rootReason === undefined ? {} : { rootReason: options.rootReason }),
    readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? false,
    tmpfs: options.tmpfs ?? [],
    capabilities: options.capabilities ?? [],
    noNewPrivileges: true,
  };
}
