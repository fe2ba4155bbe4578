import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderComposeFile } from '../../src/targets/compose/render.js';
import { cockroachBootstrapScript } from '../../src/components/cockroachdb.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { defaultStack, topologyFrom } from './fixtures.js';
import { composePlan } from '../../src/targets/compose/compose-plan.js';

/**
 * Runs the bootstrap script as the container's bash would, after Compose has turned `$$` into `$`,
 * against a fake `cockroach` that records its arguments and stdin.
 */
function runBootstrap(licence: string | undefined, refuse = false): { status: number | null; stdout: string; stderr: string; calls: string } {
  const dir = mkdtempSync(join(tmpdir(), 'innover-crdb-'));
  folders.push(dir);
  const fake = join(dir, 'cockroach');
  writeFileSync(
    fake,
    [
      '#!/usr/bin/env bash',
      `printf 'ARGS %s\\n' "$*" >> ${dir}/calls`,
      'if [ ! -t 0 ] && [[ "$*" != *-e* && "$*" != *--file* ]]; then',
      `  input=$(cat); printf 'STDIN %s\\n' "$input" >> ${dir}/calls`,
      refuse ? '  echo "ERROR: invalid license string: $input" >&2; exit 1' : '  echo "SET CLUSTER SETTING"',
      'fi',
    ].join('\n'),
  );
  chmodSync(fake, 0o755);
  const script = cockroachBootstrapScript('cockroach1:26257', fake).replaceAll('$$', '$');
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
  if (licence !== undefined) env['COCKROACH_LICENSE'] = licence;
  const run = spawnSync('bash', ['-c', script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  let calls = '';
  try {
    calls = readFileSync(join(dir, 'calls'), 'utf8');
  } catch {
    // no call recorded
  }
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, calls };
}

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('CockroachDB licence in the bootstrap job', () => {
  it('passes COCKROACH_LICENSE to the job by environment, never by value', () => {
    const job = composePlan(planStack(defaultStack(), 'full')).containers.find((container) => container.name === 'cockroach-bootstrap')!;
    expect(job.environment).toEqual({ COCKROACH_LICENSE: '${COCKROACH_LICENSE:-}' });
    const compose = renderComposeFile(defaultStack(), 'full');
    expect(compose).toContain('COCKROACH_LICENSE: ${COCKROACH_LICENSE:-}');
    // A single node is exempt from throttling, but a licence set in .env is still applied.
    const single = planStack(topologyFrom({ database: { cockroach: { nodes: 1 } } }), 'core');
    expect(composePlan(single).containers.find((container) => container.name === 'cockroach-bootstrap')!.environment).toEqual({ COCKROACH_LICENSE: '${COCKROACH_LICENSE:-}' });
  });

  it('without a licence runs only the bootstrap SQL', () => {
    const run = runBootstrap(undefined);
    expect(run.status).toBe(0);
    expect(run.calls).not.toContain('enterprise.license');
    expect(run.calls).toContain('--file=/innover/bootstrap.sql');
    expect(runBootstrap('').calls).not.toContain('enterprise.license');
  });

  it('sets enterprise.license on stdin, quoted as an SQL string, before the bootstrap SQL', () => {
    const licence = "crl-0-Ab+/=x'y";
    const run = runBootstrap(licence);
    expect(run.status).toBe(0);
    expect(run.calls).toContain("STDIN SET CLUSTER SETTING enterprise.license = 'crl-0-Ab+/=x''y';");
    const lines = run.calls.split('\n');
    expect(lines.findIndex((line) => line.startsWith('STDIN'))).toBeLessThan(lines.findIndex((line) => line.includes('--file=')));
    // Never on a command line, never in the job's log.
    for (const line of lines.filter((entry) => entry.startsWith('ARGS'))) expect(line).not.toContain('crl-0');
    expect(run.stdout + run.stderr).not.toContain('crl-0');
    expect(run.stdout).toContain('enterprise.license set from COCKROACH_LICENSE');
  });

  it('fails in one line with the value masked when CockroachDB refuses the licence', () => {
    const run = runBootstrap('crl-0-not-a-licence', true);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('COCKROACH_LICENSE was refused: ERROR: invalid license string: SET CLUSTER SETTING enterprise.license = \'<COCKROACH_LICENSE>\';: fix it in .env or empty it');
    expect(run.calls).not.toContain('--file=');
  });
});
