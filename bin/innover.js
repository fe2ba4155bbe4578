#!/usr/bin/env node
// The innover CLI entry point: the only place that exits the process.
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../cli/dist/main.js');
process.exitCode = await main(process.argv.slice(2));
