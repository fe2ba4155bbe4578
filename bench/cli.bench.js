// CLI figures of issue #4, measured on this machine's Docker engine with the `lite` profile (the one
// the e2e runs) as its own Compose project, so a developer's stack is never touched:
//   - `innover up` from stopped containers (images built) against `docker compose up -d --wait` on
//     the same file: time to all healthy, as a ratio (target <= 1.10)
//   - `innover --help` wall time (target <= 100 ms)
//   - `innover health` on the running stack (target <= 300 ms)
//   - `innover --version` against `node -e 0`, as a ratio (target <= 2)
// The stack is taken down at the end when the bench started it; a `.env` it created is removed and
// the remembered profile is put back.
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandRunner } from './commands.js';
import { acquireStackLock } from '../test/e2e/stack-lock.ts';
import { keepRememberedProfile } from '../test/e2e/remembered-profile.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const profile = 'lite';
const project = process.env.INNOVER_BENCH_PROJECT ?? 'innover-e2e';
const env = { ...process.env, INNOVER_PROJECT: project, NO_COLOR: '1' };
const rounds = Number(process.env.INNOVER_BENCH_UP_ROUNDS ?? 3);

const run = commandRunner({ cwd: root, env });

const innover = (...args) => run('node', ['bin/innover.js', ...args]);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const timed = (times, command, args) => median(Array.from({ length: times }, () => run(command, args).milliseconds));

export default async function runBench() {
  if (!existsSync(join(root, 'cli', 'dist', 'main.js'))) throw new Error('the CLI is not built: run npm run build');
  const release = await acquireStackLock('bench');
  const restoreProfile = keepRememberedProfile(root);
  const envCreated = !existsSync(join(root, '.env'));
  const composeArgs = ['compose', '--project-directory', root, '-p', project, '-f', join(root, '.innover', `docker-compose.${profile}.yml`), '--env-file', join(root, '.env')];
  const wasRunning = run('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`]).stdout.trim() !== '';
  const figures = [];
  try {
    // Warm-up: builds the images (cached after the first time) and creates the containers.
    innover('up', '--profile', profile);

    const innoverUp = [];
    const composeUp = [];
    for (let round = 0; round < rounds; round += 1) {
      run('docker', [...composeArgs, 'stop']);
      innoverUp.push(innover('up', '--profile', profile).milliseconds);
      run('docker', [...composeArgs, 'stop']);
      composeUp.push(run('docker', [...composeArgs, 'up', '-d', '--wait']).milliseconds);
    }
    const innoverMs = median(innoverUp);
    const composeMs = median(composeUp);
    process.stderr.write(`[bench] up from stopped: innover ${innoverUp.map(Math.round).join('/')} ms, compose --wait ${composeUp.map(Math.round).join('/')} ms\n`);
    const upRatio = innoverMs / composeMs;
    figures.push({ name: 'innover up (stopped -> healthy) / docker compose up -d --wait', value: upRatio, unit: 'ratio', target: '<= 1.10', pass: upRatio <= 1.1 });

    const help = timed(10, 'node', ['bin/innover.js', '--help']);
    figures.push({ name: 'innover --help wall time (median of 10)', value: help, unit: 'ms', target: '<= 100', pass: help <= 100 });

    // The stack is running and healthy (compose --wait returned); let its fifteen processes finish
    // booting so the figure is the command's, not the CPU contention of a stack starting up.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    innover('health', '--profile', profile);
    const health = timed(10, 'node', ['bin/innover.js', 'health', '--profile', profile]);
    figures.push({ name: 'innover health on the running lite stack (median of 10)', value: health, unit: 'ms', target: '<= 300', pass: health <= 300 });

    const version = timed(15, 'node', ['bin/innover.js', '--version']);
    const bare = timed(15, 'node', ['-e', '0']);
    const versionRatio = version / bare;
    process.stderr.write(`[bench] --version ${version.toFixed(1)} ms, node -e 0 ${bare.toFixed(1)} ms\n`);
    figures.push({ name: 'innover --version / node -e 0 (medians of 15)', value: versionRatio, unit: 'ratio', target: '<= 2', pass: versionRatio <= 2 });
  } finally {
    if (!wasRunning) run('node', ['bin/innover.js', 'down', '--profile', profile], { check: false });
    if (envCreated) rmSync(join(root, '.env'), { force: true });
    restoreProfile();
    release();
  }
  return figures;
}
