#!/usr/bin/env node
// The innover CLI entry point: the only place that exits the process.
import module from 'node:module';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Answered before loading anything else: scripts call this often.
  const { readFileSync } = await import('node:fs');
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  module.enableCompileCache?.();
  const { main } = await import('../cli/dist/main.js');
  // The first Ctrl-C (or SIGTERM) aborts the command's signal so long waits stop cleanly and
  // clean up; a second one ends the process at once.
  const controller = new AbortController();
  const stop = (signal) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`innover: ${signal}: stopping (again to force)\n`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', stop).on('SIGTERM', stop);
  process.exitCode = await main(argv, { signal: controller.signal });
  if (controller.signal.aborted && !process.exitCode) process.exitCode = 130;
}
