// The benches' way to run a command to its end: spawnSync over an argument array (no shell), with
// the bench's environment, timed. A non-zero exit throws one line with the command's last output.
import { spawnSync } from 'node:child_process';

/** `run(command, args, { check })` in `cwd` with `env`; answers spawnSync's result plus `milliseconds`. */
export function commandRunner({ cwd, env, maxBuffer = 64 * 1024 * 1024 }) {
  return function run(command, args, { check = true } = {}) {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer });
    const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
    if (check && result.status !== 0) {
      throw new Error(`${command} ${args.slice(0, 4).join(' ')} exited ${result.status}: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`);
    }
    return { ...result, milliseconds };
  };
}
