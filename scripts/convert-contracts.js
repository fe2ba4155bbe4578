#!/usr/bin/env node
// Converts the vendored YAML contracts (contracts/**/*.yaml, the vendors' originals, unchanged) to
// the JSON beside each one, which the contract tests read:
//   JSON.stringify(jsYaml.load(yaml), null, 1) + '\n'
// js-yaml 4 is the parser because the WSO2 YAML has a multi-line quoted scalar whose continuation
// line is under-indented; js-yaml 4 accepts it, while the yaml package and js-yaml 5 reject it.
//   node scripts/convert-contracts.js            rewrite every JSON conversion
//   node scripts/convert-contracts.js --check    exit 1 when a JSON differs from its YAML
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsYaml from 'js-yaml';

export const contractsDirectory = fileURLToPath(new URL('../contracts/', import.meta.url));

/** The JSON text of a YAML contract, byte for byte as committed. */
export function contractJson(yamlText) {
  return `${JSON.stringify(jsYaml.load(yamlText), null, 1)}\n`;
}

/** Every YAML contract with the path of its JSON conversion. */
export function yamlContracts(root = contractsDirectory) {
  return readdirSync(root, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => ({ yaml: join(root, file), json: join(root, file.replace(/\.yaml$/, '.json')) }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { yaml, json } of yamlContracts()) {
    const converted = contractJson(readFileSync(yaml, 'utf8'));
    let current;
    try {
      current = readFileSync(json, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === converted) continue;
    if (check) {
      stale += 1;
      console.error(`${relative(process.cwd(), json)} differs from ${relative(process.cwd(), yaml)}: run node scripts/convert-contracts.js`);
    } else {
      writeFileSync(json, converted);
      console.log(`wrote ${relative(process.cwd(), json)}`);
    }
  }
  process.exitCode = stale > 0 ? 1 : 0;
}
