#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.js in turn and prints one row per figure, with its
// target and whether it was met. Figures are measured, never asserted by timed tests.
// Each bench module exports `default async function run(): Promise<Figure[]>` where
// Figure = { name, value, unit, target, pass }. Results also go to bench/results/latest.json.
//   node bench/run.js [filter]     only modules whose file name contains filter
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const files = (await readdir(here)).filter((file) => file.endsWith('.bench.js') && file.includes(filter)).sort();
const results = [];
let failed = false;

for (const file of files) {
  process.stderr.write(`[bench] ${file}\n`);
  try {
    const { default: run } = await import(join(here, file));
    for (const figure of await run()) {
      results.push({ module: file, ...figure });
      failed ||= figure.pass === false;
      const value = typeof figure.value === 'number' ? round(figure.value) : figure.value;
      process.stdout.write(
        `${figure.pass === false ? 'MISS' : 'ok  '}  ${figure.name.padEnd(70)} ${String(value).padStart(10)} ${figure.unit.padEnd(8)} target ${figure.target}\n`,
      );
    }
  } catch (error) {
    failed = true;
    results.push({ module: file, error: error instanceof Error ? error.message : String(error) });
    process.stdout.write(`FAIL  ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

await mkdir(join(here, 'results'), { recursive: true });
await writeFile(
  join(here, 'results', 'latest.json'),
  `${JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2)}\n`,
);
process.exitCode = failed ? 1 : 0;

function round(value) {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
}
