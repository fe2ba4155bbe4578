import type { CommandModule } from '../command.js';
import { resolveStack } from '../stack/resolve-stack.js';
import { renderFinding, runPreflight, type Finding } from '../stack/preflight.js';

export interface DoctorArgs {
  profile?: string;
}

export interface DoctorResult {
  profile: string;
  ok: boolean;
  findings: Finding[];
}

/** `innover doctor`: Docker, Compose, free ports, memory and `.env`, one line each with its fix. */
export const command: CommandModule<DoctorArgs, DoctorResult> = {
  async handler(args, ctx) {
    const target = await resolveStack(ctx, args.profile);
    const findings = await runPreflight(ctx, target, { env: true });
    return { profile: target.profile, ok: findings.every((finding) => finding.level !== 'error'), findings };
  },
  render: (result) => result.findings.map(renderFinding).join('\n'),
  exitCode: (result) => (result.ok ? 0 : 1),
};
