import type { CommandModule } from '../command.js';
import { findPortHolders } from '../host/port-holders.js';
import { resolveStack } from '../use-cases/resolve-stack.js';
import { renderFinding, runPreflight, type Finding, type PreflightOptions } from '../use-cases/preflight.js';

export interface DoctorArgs {
  profile?: string;
}

export interface DoctorResult {
  profile: string;
  ok: boolean;
  findings: Finding[];
}

/** `innover doctor`: Docker, Compose, free ports, memory, CPUs, AIO slots (Redpanda), `.env` and the CockroachDB licence, one line each with its fix. */
export function doctorCommand(portHolders: NonNullable<PreflightOptions['portHolders']>): CommandModule<DoctorArgs, DoctorResult> {
  return {
    async handler(args, ctx) {
      const target = await resolveStack(ctx, args.profile);
      const findings = await runPreflight(ctx, target, { env: true, portHolders });
      return { profile: target.profile, ok: findings.every((finding) => finding.level !== 'error'), findings };
    },
    render: (result) => result.findings.map(renderFinding).join('\n'),
    exitCode: (result) => (result.ok ? 0 : 1),
  };
}

export const command = doctorCommand(findPortHolders);
