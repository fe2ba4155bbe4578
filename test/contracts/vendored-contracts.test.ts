import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contractJson, contractsDirectory, yamlContracts } from '../../scripts/convert-contracts.js';

// The contract tier reads the vendored copies in contracts/ (contracts/README.md): the upstream
// files unchanged, and the JSON conversions of the YAML ones.
describe('vendored contracts', () => {
  it('lists each WSO2 YAML original with its JSON conversion beside it', () => {
    expect(yamlContracts().map(({ yaml, json }) => [relative(contractsDirectory, yaml), relative(contractsDirectory, json)])).toEqual([
      ['wso2-apim-4.5.0/admin-api.yaml', 'wso2-apim-4.5.0/admin-api.json'],
      ['wso2-apim-4.5.0/devportal-api.yaml', 'wso2-apim-4.5.0/devportal-api.json'],
      ['wso2-apim-4.5.0/publisher-api.yaml', 'wso2-apim-4.5.0/publisher-api.json'],
    ]);
  });

  it.each(yamlContracts().map(({ yaml, json }) => [relative(contractsDirectory, json), yaml, json]))('%s is byte for byte the conversion of its YAML', (_, yaml, json) => {
    expect(contractJson(readFileSync(yaml, 'utf8')) === readFileSync(json, 'utf8')).toBe(true);
  });

  it('matches SHA256SUMS, file by file, and SHA256SUMS names every file', () => {
    const sums = readFileSync(join(contractsDirectory, 'SHA256SUMS'), 'utf8').trim().split('\n').map((line) => line.split(/\s+/));
    for (const [sum, file] of sums) expect([file, createHash('sha256').update(readFileSync(join(contractsDirectory, file ?? ''))).digest('hex')]).toEqual([file, sum]);
    expect(sums.map(([, file]) => file)).toEqual(expect.arrayContaining([...yamlContracts().flatMap(({ yaml, json }) => [relative(contractsDirectory, yaml), relative(contractsDirectory, json)]), 'keycloak-26.6.0/openapi.json']));
  });
});
