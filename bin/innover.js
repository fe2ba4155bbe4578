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
  process.exitCode = await main(argv);
}
